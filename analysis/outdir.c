/* SPDX-License-Identifier: MIT */
/*
 * outdir - see outdir.h. Directory trees are walked through file
 * descriptors (openat with O_DIRECTORY|O_NOFOLLOW, unlinkat, renameat2), so
 * a link swapped in by someone else is never followed, only refused or
 * removed as a link.
 *
 * The manifest is text: a first line "tlbreport-manifest 1", then one line
 * per entry, "d RELPATH" for a directory and "f RELPATH" for a file,
 * directories before what they hold. Only entries with safe relative paths
 * (no "..", no leading '/', no empty component, no control character) are
 * ever acted on.
 */
#include "outdir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MANIFEST_HEAD "tlbreport-manifest 1"

static int fail(char *err, size_t errlen, int code, const char *fmt, const char *a, const char *b)
{
	snprintf(err, errlen, fmt, a, b);
	return code;
}

int od_mkdir(const char *path)
{
	return mkdir(path, 0755);
}

int od_open_fd(const char *path)
{
	return open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0644);
}

FILE *od_fopen(const char *path)
{
	int fd = od_open_fd(path);
	FILE *f;

	if (fd < 0)
		return NULL;
	f = fdopen(fd, "w");
	if (!f) {
		int e = errno;

		close(fd);
		errno = e;
	}
	return f;
}

/* A directory stream over @dfd's directory, from its start, leaving @dfd open
 * (a dup()ed descriptor shares its offset with earlier walks: rewound); NULL
 * with errno set. */
static DIR *walk_open(int dfd)
{
	int fd = dup(dfd);
	DIR *d;

	if (fd < 0)
		return NULL;
	d = fdopendir(fd);
	if (!d) {
		int e = errno;

		close(fd);
		errno = e;
		return NULL;
	}
	rewinddir(d);
	return d;
}

static bool is_dot(const char *name)
{
	return strcmp(name, ".") == 0 || strcmp(name, "..") == 0;
}

/* Is @dfd's directory empty? 1 yes, 0 no, -1 error. */
static int dir_empty(int dfd)
{
	DIR *d = walk_open(dfd);
	struct dirent *e;
	int empty = 1;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (!is_dot(e->d_name)) {
			empty = 0;
			break;
		}
	closedir(d);
	return empty;
}

static bool has_manifest(int dfd)
{
	struct stat st;

	return fstatat(dfd, OD_MANIFEST, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode);
}

int od_begin(struct outdir *od, const char *target, bool force, char *err, size_t errlen)
{
	char parent[4096];
	struct stat st;
	size_t n = strlen(target);
	const char *slash;

	memset(od, 0, sizeof *od);
	while (n > 1 && target[n - 1] == '/')
		n--;
	if (n == 0 || n + 24 >= sizeof od->target)
		return fail(err, errlen, 2, "cannot use output directory '%s': %s", target,
			    n ? strerror(ENAMETOOLONG) : "empty name");
	memcpy(od->target, target, n);
	od->target[n] = '\0';
	slash = strrchr(od->target, '/');
	if (!slash)
		snprintf(parent, sizeof parent, ".");
	else if (slash == od->target)
		snprintf(parent, sizeof parent, "/");
	else
		snprintf(parent, sizeof parent, "%.*s", (int)(slash - od->target), od->target);
	if (strcmp(od->target, "/") == 0 || (slash && (strcmp(slash + 1, ".") == 0 ||
						       strcmp(slash + 1, "..") == 0)) ||
	    strcmp(od->target, ".") == 0 || strcmp(od->target, "..") == 0)
		return fail(err, errlen, 2, "cannot create %s: name a new directory for the report%s",
			    od->target, "");
	if (stat(parent, &st) < 0)
		return fail(err, errlen, 1, "cannot create %s: its parent directory %s does not "
			    "exist (tlbreport creates only the report directory itself)",
			    od->target, parent);
	if (!S_ISDIR(st.st_mode))
		return fail(err, errlen, 1, "cannot create %s: %s is not a directory", od->target,
			    parent);
	if (lstat(od->target, &st) == 0) {
		char uid[32];

		if (S_ISLNK(st.st_mode))
			return fail(err, errlen, 1, "cannot create %s: it is a symbolic link; "
				    "refusing to write through it%s", od->target, "");
		if (!S_ISDIR(st.st_mode))
			return fail(err, errlen, 1, "cannot create %s: it exists and is not a "
				    "directory%s", od->target, "");
		snprintf(uid, sizeof uid, "%lu", (unsigned long)st.st_uid);
		if (st.st_uid != geteuid())
			return fail(err, errlen, 1, "cannot write into %s: it exists and belongs to "
				    "uid %s, not to you; choose a new directory", od->target, uid);
		int dfd = open(od->target, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

		if (dfd < 0)
			return fail(err, errlen, 1, "cannot open %s: %s", od->target, strerror(errno));
		bool ours = has_manifest(dfd);
		int empty = dir_empty(dfd);

		close(dfd);
		if (ours && !force)
			return fail(err, errlen, 1, "cannot write into %s: an earlier report is there "
				    "(use -f, --force to replace it)%s", od->target, "");
		if (!ours && empty != 1)
			return fail(err, errlen, 1, "cannot write into %s: it exists, is not empty and "
				    "holds no report of ours (no %s); choose a new directory",
				    od->target, OD_MANIFEST);
		od->exists = true;
	} else if (errno != ENOENT) {
		return fail(err, errlen, 1, "cannot create %s: %s", od->target, strerror(errno));
	}
	if ((size_t)snprintf(od->tmp, sizeof od->tmp, "%s/.tlbreport-XXXXXX", parent) >= sizeof od->tmp)
		return fail(err, errlen, 2, "cannot use output directory '%s': %s", target,
			    strerror(ENAMETOOLONG));
	if (!mkdtemp(od->tmp))
		return fail(err, errlen, 1, "cannot create a directory in %s: %s", parent,
			    strerror(errno));
	od->made = true;
	return 0;
}

/* Remove everything under @dfd (not @dfd itself), never following a link. */
static int remove_tree_at(int dfd)
{
	DIR *d = walk_open(dfd);
	struct dirent *e;
	int rc = 0;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		struct stat st;

		if (is_dot(e->d_name))
			continue;
		if (fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			rc = -1;
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			int sub = openat(dfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			if (sub < 0 || remove_tree_at(sub) < 0)
				rc = -1;
			if (sub >= 0)
				close(sub);
			if (unlinkat(dfd, e->d_name, AT_REMOVEDIR) < 0)
				rc = -1;
		} else if (unlinkat(dfd, e->d_name, 0) < 0) {
			rc = -1;
		}
	}
	closedir(d);
	return rc;
}

void od_abort(struct outdir *od)
{
	int dfd;

	if (!od->made)
		return;
	dfd = open(od->tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd >= 0) {
		remove_tree_at(dfd);
		close(dfd);
	}
	rmdir(od->tmp);
	od->made = false;
}

/* Every entry under @dfd as "d REL" / "f REL" lines, directories first. */
static int list_tree(int dfd, const char *rel, FILE *out)
{
	DIR *d = walk_open(dfd);
	struct dirent *e;
	int rc = 0;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		struct stat st;
		char path[4096];

		if (is_dot(e->d_name) ||
		    (!*rel && strcmp(e->d_name, OD_MANIFEST) == 0))
			continue;
		if ((size_t)snprintf(path, sizeof path, "%s%s%s", rel, *rel ? "/" : "", e->d_name) >=
		    sizeof path || fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			rc = -1;
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			int sub = openat(dfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			fprintf(out, "d %s\n", path);
			if (sub < 0 || list_tree(sub, path, out) < 0)
				rc = -1;
			if (sub >= 0)
				close(sub);
		} else {
			fprintf(out, "f %s\n", path);
		}
	}
	closedir(d);
	return rc;
}

static bool safe_rel(const char *p)
{
	if (!*p || *p == '/')
		return false;
	for (const char *s = p; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	for (const char *c = p; c;) {
		const char *end = strchr(c, '/');
		size_t len = end ? (size_t)(end - c) : strlen(c);

		if (len == 0 || (len == 1 && c[0] == '.') || (len == 2 && c[0] == '.' && c[1] == '.'))
			return false;
		c = end ? end + 1 : NULL;
	}
	return true;
}

/* The directory holding REL under @root (opened without following links), and REL's last name. */
static int open_parent(int root, const char *rel, const char **base)
{
	char buf[4096];
	int fd = dup(root);
	char *c = buf;

	snprintf(buf, sizeof buf, "%s", rel);
	for (char *slash; fd >= 0 && (slash = strchr(c, '/')); c = slash + 1) {
		*slash = '\0';
		int sub = openat(fd, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

		close(fd);
		fd = sub;
	}
	*base = rel + (c - buf);
	return fd;
}

/* Remove what an earlier report of ours listed in its manifest; keep anything else. */
static int remove_listed(int tfd, char *err, size_t errlen, const char *target)
{
	int mfd = openat(tfd, OD_MANIFEST, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	FILE *m;
	char line[4200];
	char **dirs = NULL;
	size_t ndirs = 0, cap = 0;
	int rc = 0;

	if (mfd < 0 || !(m = fdopen(mfd, "r"))) {
		if (mfd >= 0)
			close(mfd);
		snprintf(err, errlen, "cannot read %s/%s: %s", target, OD_MANIFEST, strerror(errno));
		return -1;
	}
	if (!fgets(line, sizeof line, m) || strncmp(line, MANIFEST_HEAD, strlen(MANIFEST_HEAD)) != 0) {
		fclose(m);
		snprintf(err, errlen, "cannot replace %s: its %s is not one tlbreport wrote", target,
			 OD_MANIFEST);
		return -1;
	}
	while (fgets(line, sizeof line, m)) {
		size_t len = strlen(line);
		const char *base;

		if (len && line[len - 1] == '\n')
			line[--len] = '\0';
		if (len < 3 || line[1] != ' ' || (line[0] != 'f' && line[0] != 'd') ||
		    !safe_rel(line + 2))
			continue;
		if (line[0] == 'd') {
			if (ndirs == cap) {
				size_t ncap = cap ? cap * 2 : 16;
				char **p = realloc(dirs, ncap * sizeof *p);

				if (!p) {
					rc = -1;
					break;
				}
				dirs = p;
				cap = ncap;
			}
			if (!(dirs[ndirs] = strdup(line + 2))) {
				rc = -1;
				break;
			}
			ndirs++;
			continue;
		}
		int pfd = open_parent(tfd, line + 2, &base);

		if (pfd >= 0) {
			struct stat st;

			/* A file or a link (removed as a link): never a directory's contents. */
			if (fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode))
				unlinkat(pfd, base, 0);
			close(pfd);
		}
	}
	fclose(m);
	/* Deepest first; a directory someone else put files in stays. */
	while (ndirs > 0) {
		const char *base;
		char *d = dirs[--ndirs];
		int pfd = open_parent(tfd, d, &base);

		if (pfd >= 0) {
			unlinkat(pfd, base, AT_REMOVEDIR);
			close(pfd);
		}
		free(d);
	}
	free(dirs);
	/* The manifest itself stays until the new one is renamed over it. */
	if (rc < 0)
		snprintf(err, errlen, "cannot replace %s: %s", target, strerror(ENOMEM));
	return rc;
}

/*
 * Move every entry of @from into @to without replacing anything; directories
 * that exist on both sides are merged. With @dry, only check that the move
 * would succeed (run first, so that a conflict leaves the target untouched).
 */
static int move_entries(int from, int to, const char *shown, bool dry, const char *skip,
			char *err, size_t errlen)
{
	DIR *d = walk_open(from);
	struct dirent *e;
	int rc = 0;

	if (!d) {
		snprintf(err, errlen, "cannot read %s: %s", shown, strerror(errno));
		return -1;
	}
	while (rc == 0 && (e = readdir(d))) {
		struct stat a, b;

		if (is_dot(e->d_name) ||
		    (skip && strcmp(e->d_name, skip) == 0))
			continue;
		if (fstatat(to, e->d_name, &b, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT && (dry || renameat2(from, e->d_name, to, e->d_name,
								 RENAME_NOREPLACE) == 0))
				continue;
		} else if (fstatat(from, e->d_name, &a, AT_SYMLINK_NOFOLLOW) == 0 &&
			   S_ISDIR(a.st_mode) && S_ISDIR(b.st_mode) && b.st_uid == geteuid()) {
			int sf = openat(from, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			int tf = openat(to, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			char sub[4200];

			snprintf(sub, sizeof sub, "%s/%s", shown, e->d_name);
			if (sf < 0 || tf < 0) {
				snprintf(err, errlen, "cannot open %s: %s", sub, strerror(errno));
				rc = -1;
			} else {
				rc = move_entries(sf, tf, sub, dry, NULL, err, errlen);
			}
			if (sf >= 0)
				close(sf);
			if (tf >= 0)
				close(tf);
			if (rc == 0 && !dry)
				unlinkat(from, e->d_name, AT_REMOVEDIR);
			continue;
		} else {
			errno = EEXIST;
		}
		snprintf(err, errlen, "cannot write %s/%s: %s (not replaced)", shown, e->d_name,
			 errno == EEXIST ? "something else is there" : strerror(errno));
		rc = -1;
	}
	closedir(d);
	return rc;
}

int od_commit(struct outdir *od, char *err, size_t errlen)
{
	char mpath[4200];
	mode_t mask = umask(0);
	int tmpfd, tfd, rc = 0;
	FILE *m;

	umask(mask);
	tmpfd = open(od->tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (tmpfd < 0) {
		snprintf(err, errlen, "cannot open %s: %s", od->tmp, strerror(errno));
		return -1;
	}
	snprintf(mpath, sizeof mpath, "%s/%s", od->tmp, OD_MANIFEST);
	m = od_fopen(mpath);
	if (!m) {
		snprintf(err, errlen, "cannot write %s: %s", mpath, strerror(errno));
		close(tmpfd);
		return -1;
	}
	fputs(MANIFEST_HEAD "\n# what tlbreport wrote here; `tlbreport --force` removes only these\n", m);
	rc = list_tree(tmpfd, "", m);
	if (ferror(m) | (fclose(m) != 0) || rc < 0) {
		snprintf(err, errlen, "cannot write %s: %s", mpath, strerror(errno ? errno : EIO));
		close(tmpfd);
		return -1;
	}
	if (fchmod(tmpfd, 0777 & ~mask) < 0) {
		snprintf(err, errlen, "cannot set the mode of %s: %s", od->tmp, strerror(errno));
		close(tmpfd);
		return -1;
	}
	if (!od->exists) {
		close(tmpfd);
		if (renameat2(AT_FDCWD, od->tmp, AT_FDCWD, od->target, RENAME_NOREPLACE) < 0) {
			snprintf(err, errlen, "cannot create %s: %s", od->target,
				 errno == EEXIST ? "something appeared there while the report was "
				 "written (not replaced)" : strerror(errno));
			return -1;
		}
		od->made = false;
		return 0;
	}
	tfd = open(od->target, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (tfd < 0) {
		snprintf(err, errlen, "cannot open %s: %s", od->target, strerror(errno));
		close(tmpfd);
		return -1;
	}
	struct stat st;

	if (fstat(tfd, &st) < 0 || st.st_uid != geteuid()) {
		snprintf(err, errlen, "cannot write into %s: it is no longer yours", od->target);
		rc = -1;
	} else if (has_manifest(tfd)) {
		rc = remove_listed(tfd, err, errlen, od->target);
	}
	if (rc == 0)
		rc = move_entries(tmpfd, tfd, od->target, true, OD_MANIFEST, err, errlen);
	/*
	 * The manifest first (over the earlier one of ours, if any: rename replaces
	 * a name, it never writes through it): whatever fails next, --force can
	 * then clean up after us.
	 */
	if (rc == 0 && renameat(tmpfd, OD_MANIFEST, tfd, OD_MANIFEST) < 0) {
		snprintf(err, errlen, "cannot write %s/%s: %s", od->target, OD_MANIFEST,
			 strerror(errno));
		rc = -1;
	}
	if (rc == 0)
		rc = move_entries(tmpfd, tfd, od->target, false, NULL, err, errlen);
	close(tfd);
	close(tmpfd);
	if (rc == 0 && rmdir(od->tmp) == 0)
		od->made = false;
	return rc;
}
