/* chipaudit-collector's commands besides migrate and query: one file each. */
#ifndef CHIPAUDIT_COLLECTOR_COMMANDS_H
#define CHIPAUDIT_COLLECTOR_COMMANDS_H

int cmd_serve(int argc, char **argv);   /* serve.c */
int cmd_ingest(int argc, char **argv);  /* ingest.c */
int cmd_enroll(int argc, char **argv);  /* enroll.c */
int cmd_revoke(int argc, char **argv);  /* revoke.c */
int cmd_sweep(int argc, char **argv);   /* sweep.c */

#endif
