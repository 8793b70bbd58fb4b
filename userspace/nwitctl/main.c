/* nwitctl: ask nwitd about its state and tell it what to do. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/ctl_proto.h"
#include "token.h"

static void usage(void)
{
	fprintf(stderr,
		"usage: nwitctl [-j] [-s socket] command\n"
		"  -j         print the daemon's JSON reply\n"
		"  -s socket  control socket (default /run/nwit/nwitd.sock)\n"
		"commands:\n"
		"  status     daemon, configuration and service state\n"
		"  stats      event and error counters\n"
		"  reload     re-read the configuration (kept if invalid)\n"
		"  token ...  make operator keys and app tokens (nwitctl token for help)\n"
		"  flow add|del|list|stats [name=value ...]  fast path flows (see nwitctl.8)\n");
	exit(2);
}

/*
 * "cmd [name=value ...]" -> {"cmd": cmd, "args": {name: value}}; "flow SUB" is the
 * command "flow-SUB" ("flow stats" lists flows with their counters, like "flow list").
 */
static char *encode_command(int argc, char **argv)
{
	char cmd[64];
	json_t *args = NULL;
	char *req;
	int i = 1;

	snprintf(cmd, sizeof(cmd), "%s", argv[0]);
	if (strcmp(argv[0], "flow") == 0) {
		if (argc < 2)
			usage();
		snprintf(cmd, sizeof(cmd), "flow-%s",
			 strcmp(argv[1], "stats") == 0 ? "list" : argv[1]);
		i = 2;
	}
	if (i < argc) {
		args = json_object();
		if (!args)
			return NULL;
	}
	for (; i < argc; i++) {
		char *eq = strchr(argv[i], '=');

		if (!eq || eq == argv[i]) {
			fprintf(stderr, "nwitctl: argument %s is not name=value\n", argv[i]);
			json_decref(args);
			return NULL;
		}
		*eq = '\0';
		json_object_set_new(args, argv[i], json_string(eq + 1));
	}
	req = ctl_request_encode(cmd, args);
	json_decref(args);
	return req;
}

static int connect_to(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "nwitctl: socket path %s is too long\n", path);
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		fprintf(stderr, "nwitctl: cannot connect to nwitd at %s: %s\n", path,
			strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Read one line (up to CTL_MAX_LINE); returns malloc'ed text without the newline. */
static char *read_line(int fd, size_t *lenp)
{
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);

	while (buf) {
		ssize_t n;
		char *nl;

		if (len == cap) {
			char *bigger = cap > CTL_MAX_LINE * 16 ? NULL : realloc(buf, cap * 2);

			if (!bigger)
				break;
			buf = bigger;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		nl = memchr(buf, '\n', len);
		if (nl) {
			*lenp = (size_t)(nl - buf);
			return buf;
		}
	}
	free(buf);
	return NULL;
}

/* Human-readable output: one "dotted.key: value" line per leaf. */
static void print_flat(const char *prefix, json_t *v)
{
	char key[256];

	if (json_is_object(v)) {
		const char *k;
		json_t *child;

		json_object_foreach(v, k, child) {
			snprintf(key, sizeof(key), "%s%s%s", prefix, *prefix ? "." : "", k);
			print_flat(key, child);
		}
		return;
	}
	if (json_is_array(v)) {
		size_t i;
		json_t *child;

		if (json_array_size(v) == 0)
			printf("%s: (none)\n", prefix);
		json_array_foreach(v, i, child) {
			snprintf(key, sizeof(key), "%s[%zu]", prefix, i);
			print_flat(key, child);
		}
		return;
	}
	if (json_is_string(v)) {
		printf("%s: %s\n", prefix, json_string_value(v));
	} else {
		char *text = json_dumps(v, JSON_ENCODE_ANY);

		printf("%s: %s\n", prefix, text ? text : "?");
		free(text);
	}
}

int main(int argc, char **argv)
{
	const char *sock = "/run/nwit/nwitd.sock";
	char err[512];
	int json_out = 0, fd, ch, rc;
	char *request, *reply;
	json_t *result;
	size_t len;

	while ((ch = getopt(argc, argv, "+js:h")) != -1) {
		switch (ch) {
		case 'j':
			json_out = 1;
			break;
		case 's':
			sock = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind < argc && strcmp(argv[optind], "token") == 0)
		return token_main(argc - optind, argv + optind);
	if (optind >= argc)
		usage();

	request = encode_command(argc - optind, argv + optind);
	if (!request)
		return 1;
	fd = connect_to(sock);
	if (fd < 0) {
		free(request);
		return 1;
	}
	if (write_all(fd, request, strlen(request)) < 0) {
		fprintf(stderr, "nwitctl: cannot send the request: %s\n", strerror(errno));
		free(request);
		close(fd);
		return 1;
	}
	free(request);
	reply = read_line(fd, &len);
	close(fd);
	if (!reply) {
		fprintf(stderr, "nwitctl: nwitd closed the connection without a reply\n");
		return 1;
	}
	rc = ctl_reply_parse(reply, len, &result, err, sizeof(err));
	free(reply);
	if (rc != 0) {
		fprintf(stderr, "nwitctl: %s\n", err);
		return 1;
	}
	if (json_out) {
		json_dumpf(result, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
		putchar('\n');
	} else {
		print_flat("", result);
	}
	json_decref(result);
	return 0;
}
