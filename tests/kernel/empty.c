/*
 * empty — an image that creates no task: start_kernel has nothing to run.
 */
#include "preemptlab.h"

int main(void)
{
	start_kernel();
}
