/* SPDX-License-Identifier: MIT */
/*
 * settings - the -m and -t lists and their combinations (interface in settings.h).
 *
 * Items are split on every comma (an empty item is an error, not skipped as
 * strtok would), so "2,,4" and "4," are refused. The messages keep today's
 * wording for a single value ("not an integer 1..64") and name the item when
 * the list has several ("'0' is not an integer 1..64").
 */
#include "settings.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

void settings_init(struct settings *s)
{
	memset(s, 0, sizeof(*s));
	s->prof[0] = machine_profile("power7");
	s->nprof = 1;
}

/* The next item of @list from @*pos into @item; false at the end. An item
 * longer than @len - 1 is cut (and then matches nothing, so it is refused). */
static bool next_item(const char *list, size_t *pos, char *item, size_t len)
{
	size_t start = *pos, n;

	if (start > strlen(list))
		return false;
	n = strcspn(list + start, ",");
	snprintf(item, len, "%.*s", (int)(n < len ? n : len - 1), list + start);
	*pos = start + n + 1;
	return true;
}

/* "'ITEM' is REASON", or just "REASON" when the item is the whole list. */
static int refuse(char *why, size_t len, const char *list, const char *item, const char *reason)
{
	if (strcmp(list, item) == 0)
		snprintf(why, len, "%s", reason);
	else if (!*item)
		snprintf(why, len, "an empty item");
	else
		snprintf(why, len, "'%s' is %s", item, reason);
	return -1;
}

int settings_machines(struct settings *s, const char *list, char *why, size_t len)
{
	char item[64];
	size_t pos = 0;
	int n = 0;

	while (next_item(list, &pos, item, sizeof(item))) {
		const struct machine *m = machine_profile(item);

		if (!m)
			return refuse(why, len, list, item, "not power7, power8 or power9-hash");
		for (int i = 0; i < n; i++)
			if (s->prof[i] == m)
				return refuse(why, len, list, item, "repeated");
		if (n == SETTINGS_MAX_MACHINES)
			return refuse(why, len, list, item, "one machine too many");
		s->prof[n++] = m;
	}
	s->nprof = n;
	return 0;
}

int settings_threads(struct settings *s, const char *list, char *why, size_t len)
{
	char item[64];
	size_t pos = 0;
	int n = 0;

	while (next_item(list, &pos, item, sizeof(item))) {
		int64_t t;

		if (parse_i64(item, &t) || t < 1 || t > 64)
			return refuse(why, len, list, item, "not an integer 1..64");
		for (int i = 0; i < n; i++)
			if (s->threads[i] == t)
				return refuse(why, len, list, item, "repeated");
		if (n == SETTINGS_MAX_THREADS)	/* 64 distinct values of 1..64: cannot happen */
			return refuse(why, len, list, item, "one T too many");
		s->threads[n++] = t;
	}
	s->nthreads = n;
	return 0;
}

int settings_count(const struct settings *s)
{
	return s->nprof * (s->nthreads ? s->nthreads : 1);
}

void settings_get(const struct settings *s, int i, const struct machine **prof, int64_t *threads)
{
	int per = s->nthreads ? s->nthreads : 1;

	*prof = s->prof[i / per];
	*threads = s->nthreads ? s->threads[i % per] : 0;
}
