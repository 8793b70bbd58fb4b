/*
 * nwit.conf may hold the subscriber's secrets ([ims] password, or the ISIM's k and
 * op/opc): such a file must not be readable by any user but its owner. Readable means
 * the permission bits allow it and every directory on the way lets that user through:
 * a 0644 file inside a 0700 directory is private, the same file in /etc/nwit is not.
 */
#include "core/config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* 1 when every directory above path (resolved) is searchable by the class in mask. */
static int dirs_searchable(const char *real, mode_t mask)
{
	char dir[PATH_MAX];
	struct stat st;
	char *slash;

	snprintf(dir, sizeof(dir), "%s", real);
	while ((slash = strrchr(dir, '/')) != NULL) {
		if (slash == dir)
			slash[1] = '\0';	/* "/" itself */
		else
			*slash = '\0';
		if (stat(dir, &st) < 0 || !(st.st_mode & mask))
			return 0;
		if (slash == dir)
			break;
	}
	return 1;
}

int config_check_private(const char *path, const struct stat *st, char *err, size_t errlen)
{
	char real[PATH_MAX];
	const char *who = NULL;

	if (!realpath(path, real)) {
		snprintf(err, errlen, "%s: cannot resolve the path to check its permissions: %s",
			 path, strerror(errno));
		return -1;
	}
	if ((st->st_mode & S_IROTH) && dirs_searchable(real, S_IXOTH))
		who = "every user";
	else if ((st->st_mode & S_IRGRP) && dirs_searchable(real, S_IXGRP | S_IXOTH))
		who = "its group";
	if (!who)
		return 0;
	snprintf(err, errlen, "%s: holds IMS secrets but is readable by %s (mode %04o); "
		 "refusing to use it: chmod 600 %s", path, who, (unsigned)(st->st_mode & 07777),
		 path);
	return -1;
}
