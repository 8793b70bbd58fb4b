/* nwitd: the WebRTC/IMS translation daemon. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/config.h"
#include "control.h"
#include "core/counters.h"
#include "core/log.h"
#include "nwitd.h"
#include "service.h"

static void usage(void)
{
	fprintf(stderr,
		"usage: nwitd [-dnsv] [-f file]\n"
		"  -f file  configuration (default " CONFIG_DEFAULT_PATH ")\n"
		"  -n       check the configuration and exit\n"
		"  -s       log to syslog instead of stderr\n"
		"  -v       verbose: log at debug level\n");
	exit(2);
}

int nwitd_reload(struct nwitd *d)
{
	struct nwit_config fresh, old;
	char err[CONFIG_ERR_MAX];

	config_set_defaults(&fresh);
	if (config_load_file(d->conf_path, &fresh, err, sizeof(err)) < 0) {
		counter_inc(COUNTER_CONFIG_RELOAD_FAILURES);
		snprintf(d->last_reload_error, sizeof(d->last_reload_error), "%s", err);
		log_warnx("reload refused, keeping the running configuration: %s", err);
		return -1;
	}
	if (strcmp(fresh.control_socket, d->conf.control_socket) != 0)
		log_warnx("reload: control_socket changes take effect on restart; still on %s",
			  d->conf.control_socket);
	snprintf(fresh.control_socket, sizeof(fresh.control_socket), "%s",
		 d->conf.control_socket);
	old = d->conf;
	d->conf = fresh;
	d->last_reload_error[0] = '\0';
	log_set_level(d->conf.log_level);
	services_reload(d, &old);
	counter_inc(COUNTER_CONFIG_RELOADS);
	log_info("configuration reloaded from %s", d->conf_path);
	return 0;
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct nwitd *d = arg;

	(void)what;
	if (sig == SIGHUP) {
		log_info("SIGHUP: reloading %s", d->conf_path);
		nwitd_reload(d);
		return;
	}
	log_info("%s: shutting down", strsignal((int)sig));
	event_base_loopexit(d->base, NULL);
}

static int make_parent_dir(const char *path)
{
	char dir[CONFIG_PATH_MAX];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, 0750) < 0 && errno != EEXIST) {
		log_warn("cannot create directory %s", dir);
		return -1;
	}
	return 0;
}

static struct event *watch_signal(struct nwitd *d, int sig)
{
	struct event *ev = evsignal_new(d->base, sig, on_signal, d);

	if (!ev || evsignal_add(ev, NULL) < 0)
		fatalx("cannot watch signal %d", sig);
	return ev;
}

int main(int argc, char **argv)
{
	struct nwitd d = { .conf_path = CONFIG_DEFAULT_PATH };
	char err[CONFIG_ERR_MAX];
	int check_only = 0, to_syslog = 0, verbose = 0, ch;

	while ((ch = getopt(argc, argv, "f:nsvh")) != -1) {
		switch (ch) {
		case 'f':
			d.conf_path = optarg;
			break;
		case 'n':
			check_only = 1;
			break;
		case 's':
			to_syslog = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();

	log_init("nwitd", LOG_LEVEL_INFO, to_syslog);
	config_set_defaults(&d.conf);
	if (config_load_file(d.conf_path, &d.conf, err, sizeof(err)) < 0) {
		fprintf(stderr, "nwitd: %s\n", err);
		return 1;
	}
	if (check_only) {
		fprintf(stderr, "nwitd: configuration %s OK\n", d.conf_path);
		return 0;
	}
	log_set_level(verbose ? LOG_LEVEL_DEBUG : d.conf.log_level);
	log_route_libbpf();
	signal(SIGPIPE, SIG_IGN);

	d.base = event_base_new();
	if (!d.base)
		fatalx("cannot create the event loop");
	d.started = time(NULL);
	d.sig_hup = watch_signal(&d, SIGHUP);
	d.sig_term = watch_signal(&d, SIGTERM);
	d.sig_int = watch_signal(&d, SIGINT);

	if (make_parent_dir(d.conf.control_socket) < 0)
		return 1;
	d.ctl = ctl_server_start(&d, d.conf.control_socket);
	if (!d.ctl)
		return 1;

	if (services_start(&d) < 0) {
		ctl_server_stop(d.ctl);
		return 1;
	}
	log_info("nwitd " NWIT_VERSION " started (config %s, fast path mode %s)", d.conf_path,
		 fastpath_mode_name(d.conf.fastpath_mode));
	event_base_dispatch(d.base);

	services_stop(&d);
	ctl_server_stop(d.ctl);
	event_free(d.sig_hup);
	event_free(d.sig_term);
	event_free(d.sig_int);
	event_base_free(d.base);
	log_info("stopped");
	return 0;
}
