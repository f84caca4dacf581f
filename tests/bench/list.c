/*
 * list — linked data structures from a fixed pool, as a kernel's lists and
 * hash tables are: a doubly linked list kept sorted by insertion, a singly
 * linked list reversed and merge-sorted, and a chained hash table with
 * lookups and deletions.
 */
#include "bench.h"

#define ROUNDS 20
#define NODES 1500
#define BUCKETS 128

struct node {
	struct node *next, *prev;
	uint32_t key;
	uint32_t value;
};

static struct node pool[NODES];
static struct node *bucket[BUCKETS];

/* sorted_insert keeps head's list sorted by key. */
static void sorted_insert(struct node *head, struct node *n)
{
	struct node *p = head->next;
	while (p != head && p->key < n->key)
		p = p->next;
	n->next = p;
	n->prev = p->prev;
	p->prev->next = n;
	p->prev = n;
}

static struct node *reverse(struct node *l)
{
	struct node *r = 0;
	while (l) {
		struct node *next = l->next;
		l->next = r;
		r = l;
		l = next;
	}
	return r;
}

static struct node *merge_sort(struct node *l)
{
	if (!l || !l->next)
		return l;
	struct node *slow = l, *fast = l->next;
	while (fast && fast->next) {
		slow = slow->next;
		fast = fast->next->next;
	}
	struct node *b = slow->next;
	slow->next = 0;
	struct node *a = merge_sort(l);
	b = merge_sort(b);
	struct node head, *t = &head;
	while (a && b) {
		if (a->value <= b->value)
			t->next = a, a = a->next;
		else
			t->next = b, b = b->next;
		t = t->next;
	}
	t->next = a ? a : b;
	return head.next;
}

static struct node *lookup(uint32_t key)
{
	for (struct node *n = bucket[key % BUCKETS]; n; n = n->next)
		if (n->key == key)
			return n;
	return 0;
}

int main(uint32_t magic, void *info)
{
	uint32_t seed = 99, h = 0x811C9DC5u;
	static struct node head;

	int n = rounds(magic, info, ROUNDS);

	idt_install_exception_handlers();
	for (int r = 0; r < n; r++) {
		head.next = head.prev = &head;
		for (int i = 0; i < NODES / 3; i++) {
			pool[i].key = rnd(&seed) % 100000;
			pool[i].value = (uint32_t)i;
			sorted_insert(&head, &pool[i]);
		}
		uint32_t s = 0;
		for (struct node *p = head.next; p != &head; p = p->next)
			s = s * 3 + p->key;
		h = mix(h, s);

		struct node *l = 0;
		for (int i = NODES / 3; i < NODES; i++) {
			pool[i].value = rnd(&seed);
			pool[i].next = l;
			l = &pool[i];
		}
		l = merge_sort(reverse(l));
		s = 0;
		for (struct node *p = l; p; p = p->next)
			s = s * 5 + (p->value >> 7);
		h = mix(h, s);

		for (int i = 0; i < BUCKETS; i++)
			bucket[i] = 0;
		for (int i = 0; i < NODES; i++) {
			pool[i].key = rnd(&seed) % 4096;
			pool[i].next = bucket[pool[i].key % BUCKETS];
			bucket[pool[i].key % BUCKETS] = &pool[i];
		}
		uint32_t found = 0;
		for (uint32_t k = 0; k < 4096; k += 3) {
			struct node *n = lookup(k);
			if (n)
				found += n->value & 0xFF;
		}
		h = mix(h, found);
	}
	return report("list", h);
}
