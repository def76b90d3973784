/* cli.h - the command line's options, shared by main.c and the commands.
 *
 * The CLI is a contract other tools rely on (README, --help, the man
 * page): options keep their names and meaning. */
#ifndef AD_CLI_H
#define AD_CLI_H

#include <stdio.h>

#include "ssh.h"

#define EXIT_USAGE 2
#define EXIT_INCONCLUSIVE 3
#define EXIT_DECLINED 4
#define EXIT_MANUAL 5

struct world;
struct ad_error;

struct opts {
	const char *cmd;
	const char *scenario;
	const char *lang;
	int json;
	int no_color;
	int yes;                 /* fix: no question */
	int dry_run;             /* fix: show, send nothing */
	int debug;               /* every request to stderr */
	int training;            /* the wizard on the training scenarios */
	/* live target */
	const char *cluster, *webapp, *resource_group, *subscription;
	const char *namespace_, *pod, *image, *registry, *message;
	const char *cloud, *context, *kubeconfig, *ca_file, *credential;
	const char *timeout;     /* seconds a request may take */
	/* the node probe over SSH */
	int use_ssh;             /* --ssh-node given */
	struct ssh_opts ssh;
	int nargs;
	char **args;
};

/* Every message to stderr goes through here: it may quote what the user
 * typed or a file or server said, so control sequences are taken out. */
void cli_complain(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Open the world the options name: a scenario, or live Azure (then the
 * context is resolved).  0, or an exit status with the reason said, or
 * CLI_NOTHING: a live cluster where no pod fails to pull and none was
 * named (said; diagnose --json printed []): the command exits 0. */
#define CLI_NOTHING (-1)
int cli_open_world(const struct opts *o, struct world **out);

/* A live cluster's kubeconfig, before anything is sent: one named by
 * --kubeconfig or --context that cannot be used is a usage error (said,
 * EXIT_USAGE); a broken default one is said and 0 returned (the
 * cluster's user credentials then come from Azure). */
int cli_check_kubeconfig(const struct opts *o);

/* `acr-doctor fix FIX-ID ...`: exit status as documented. */
int cli_fix(const struct opts *o);

#endif
