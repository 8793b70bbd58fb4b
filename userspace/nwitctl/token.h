/* `nwitctl token ...`: operator/lab side of app authorization; works without nwitd. */
#ifndef NWITCTL_TOKEN_H
#define NWITCTL_TOKEN_H

/* argv[0] is "token". Returns the process exit status. */
int token_main(int argc, char **argv);

#endif
