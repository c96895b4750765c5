/* SPDX-License-Identifier: MIT */
/* filter - the --vm, --vcpu, --from, --to options (meaning in filter.h). */
#include "filter.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void filter_init(struct replay_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->from = INT64_MIN;
	f->to = INT64_MAX;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

int filter_parse_ids(struct id_set *s, const char *list, bool *oom)
{
	const char *p = list;

	*oom = false;
	s->on = true;
	if (!*list)
		return -1;
	for (;;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		char buf[32];
		int64_t v, *a;

		if (len == 0 || len >= sizeof(buf))
			return -1;
		memcpy(buf, p, len);
		buf[len] = 0;
		if (parse_i64(buf, &v) || v < 0)
			return -1;
		a = realloc(s->ids, sizeof(*a) * (size_t)(s->n + 1));
		if (!a) {
			*oom = true;
			return -1;
		}
		s->ids = a;
		s->ids[s->n++] = v;
		if (!end)
			break;
		p = end + 1;
	}
	qsort(s->ids, (size_t)s->n, sizeof(*s->ids), cmp_i64);
	return 0;
}

bool filter_has(const struct id_set *s, int64_t id)
{
	int64_t lo = 0, hi = s->n;

	while (lo < hi) {
		int64_t mid = lo + (hi - lo) / 2;

		if (s->ids[mid] < id)
			lo = mid + 1;
		else if (s->ids[mid] > id)
			hi = mid;
		else
			return true;
	}
	return false;
}

int filter_parse_time(const char *text, int64_t *ns)
{
	static const struct { const char *unit; double scale; } units[] = {
		{ "ns", 1 }, { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 }, { "", 1 },
	};
	char *end;
	double v;

	/* integers without a unit are ns, exactly (a double would round above 2^53) */
	if (parse_i64(text, ns) == 0)
		return *ns >= 0 ? 0 : -1;
	if (!*text || !((*text >= '0' && *text <= '9') || *text == '.'))
		return -1;
	errno = 0;
	v = strtod(text, &end);
	if (errno || end == text || !isfinite(v) || v < 0)
		return -1;
	for (size_t i = 0; i < sizeof(units) / sizeof(*units); i++)
		if (strcmp(end, units[i].unit) == 0) {
			double x = v * units[i].scale;

			if (!(x < 9223372036854775807.0))
				return -1;
			*ns = (int64_t)llround(x);
			return 0;
		}
	return -1;
}

void filter_free(struct replay_filter *f)
{
	free(f->vms.ids);
	free(f->vcpus.ids);
	f->vms.ids = f->vcpus.ids = NULL;
}
