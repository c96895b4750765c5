/* SPDX-License-Identifier: MIT */
/*
 * jsonscan - see jsonscan.h. The parser keeps the key path in a fixed buffer:
 * each object member appends ".key" (or "key" at the top) and truncates back
 * when the member ends. Paths longer than the buffer are an error: a params
 * object nested that deep is not one the replay wrote.
 */
#include "jsonscan.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define JSON_MAX_DEPTH 32
#define JSON_MAX_PATH 512
#define JSON_MAX_TEXT 256	/* longer strings are an error when asked for */

struct json_walk {
	const char *p;			/* next character */
	char path[JSON_MAX_PATH];	/* dotted key path of the current value */
	size_t pathlen;			/* strlen(path) */
	json_number_cb cb;		/* receives every number (may be NULL) */
	json_text_cb tcb;		/* receives every string, true and false (may be NULL) */
	void *ctx;			/* passed to both */
	bool cut_ok;			/* the string being read is a value: cut it to fit */
};

static int parse_value(struct json_walk *w, int depth);

static void skip_space(struct json_walk *w)
{
	while (*w->p == ' ' || *w->p == '\t' || *w->p == '\n' || *w->p == '\r')
		w->p++;
}

/* A string at w->p; its characters go to @out (NUL-terminated) unless NULL. */
static int parse_string(struct json_walk *w, char *out, size_t outlen)
{
	size_t n = 0;

	if (*w->p != '"')
		return -1;
	w->p++;
	for (;;) {
		char c = *w->p;

		if (c == '\0' || (unsigned char)c < 0x20)
			return -1;
		w->p++;
		if (c == '"')
			break;
		if (c == '\\') {
			char e = *w->p++;

			switch (e) {
			case '"': case '\\': case '/': c = e; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 't': c = '\t'; break;
			case 'u':
				for (int i = 0; i < 4; i++, w->p++)
					if (!strchr("0123456789abcdefABCDEF", *w->p) || *w->p == '\0')
						return -1;
				c = '?';
				break;
			default:
				return -1;
			}
		}
		/* Keys must fit (a path is matched whole); a long value is cut, not refused. */
		if (out) {
			if (n + 1 >= outlen && !w->cut_ok)
				return -1;
			if (n + 1 < outlen)
				out[n++] = c;
		}
	}
	if (out)
		out[n] = '\0';
	return 0;
}

static int parse_number(struct json_walk *w)
{
	const char *start = w->p;
	char *end;
	double v;

	/* JSON's grammar is stricter than strtod's: check the shape first. */
	if (*w->p == '-')
		w->p++;
	if (*w->p == '0')
		w->p++;
	else if (*w->p >= '1' && *w->p <= '9')
		while (*w->p >= '0' && *w->p <= '9')
			w->p++;
	else
		return -1;
	if (*w->p == '.') {
		w->p++;
		if (!(*w->p >= '0' && *w->p <= '9'))
			return -1;
		while (*w->p >= '0' && *w->p <= '9')
			w->p++;
	}
	if (*w->p == 'e' || *w->p == 'E') {
		w->p++;
		if (*w->p == '+' || *w->p == '-')
			w->p++;
		if (!(*w->p >= '0' && *w->p <= '9'))
			return -1;
		while (*w->p >= '0' && *w->p <= '9')
			w->p++;
	}
	v = strtod(start, &end);
	if (end != w->p)
		return -1;
	if (w->cb)
		w->cb(w->ctx, w->path, v);
	return 0;
}

static int parse_object(struct json_walk *w, int depth)
{
	w->p++;		/* '{' */
	skip_space(w);
	if (*w->p == '}') {
		w->p++;
		return 0;
	}
	for (;;) {
		char key[JSON_MAX_PATH];
		size_t saved = w->pathlen, klen;

		skip_space(w);
		if (parse_string(w, key, sizeof key) < 0)
			return -1;
		klen = strlen(key);
		if (saved + 1 + klen + 1 > sizeof w->path)
			return -1;
		if (saved > 0)
			w->path[w->pathlen++] = '.';
		memcpy(w->path + w->pathlen, key, klen + 1);
		w->pathlen += klen;
		skip_space(w);
		if (*w->p != ':')
			return -1;
		w->p++;
		if (parse_value(w, depth + 1) < 0)
			return -1;
		w->pathlen = saved;
		w->path[saved] = '\0';
		skip_space(w);
		if (*w->p == ',') {
			w->p++;
			continue;
		}
		if (*w->p == '}') {
			w->p++;
			return 0;
		}
		return -1;
	}
}

static int parse_array(struct json_walk *w, int depth)
{
	w->p++;		/* '[' */
	skip_space(w);
	if (*w->p == ']') {
		w->p++;
		return 0;
	}
	for (;;) {
		if (parse_value(w, depth + 1) < 0)
			return -1;
		skip_space(w);
		if (*w->p == ',') {
			w->p++;
			continue;
		}
		if (*w->p == ']') {
			w->p++;
			return 0;
		}
		return -1;
	}
}

static int parse_literal(struct json_walk *w, const char *word)
{
	size_t n = strlen(word);

	if (strncmp(w->p, word, n) != 0)
		return -1;
	w->p += n;
	return 0;
}

static int parse_value(struct json_walk *w, int depth)
{
	if (depth > JSON_MAX_DEPTH)
		return -1;
	skip_space(w);
	switch (*w->p) {
	case '{': return parse_object(w, depth);
	case '[': return parse_array(w, depth);
	case '"': {
		char text[JSON_MAX_TEXT];

		if (!w->tcb)
			return parse_string(w, NULL, 0);
		w->cut_ok = true;
		int rc = parse_string(w, text, sizeof text);

		w->cut_ok = false;
		if (rc < 0)
			return -1;
		w->tcb(w->ctx, w->path, text);
		return 0;
	}
	case 't':
		if (parse_literal(w, "true") < 0)
			return -1;
		if (w->tcb)
			w->tcb(w->ctx, w->path, "true");
		return 0;
	case 'f':
		if (parse_literal(w, "false") < 0)
			return -1;
		if (w->tcb)
			w->tcb(w->ctx, w->path, "false");
		return 0;
	case 'n': return parse_literal(w, "null");
	default: return parse_number(w);
	}
}

int json_scan_numbers(const char *text, json_number_cb cb, void *ctx)
{
	return json_scan(text, cb, NULL, ctx);
}

int json_scan(const char *text, json_number_cb cb, json_text_cb tcb, void *ctx)
{
	struct json_walk w = { .p = text, .cb = cb, .tcb = tcb, .ctx = ctx };

	if (!text)
		return -1;
	if (parse_value(&w, 0) < 0)
		return -1;
	skip_space(&w);
	return *w.p == '\0' ? 0 : -1;
}
