#include <libpq-fe.h>

/* The diagnostic fields' codes are character-literal macros, which Swift does not import. */
static inline int clearance_pq_diag_sqlstate(void) { return PG_DIAG_SQLSTATE; }
static inline int clearance_pq_diag_message(void) { return PG_DIAG_MESSAGE_PRIMARY; }

/* Notices (a WARNING, a NOTICE) would go to standard error, which the command line keeps for
   its own messages; what matters reaches Clearance as a result's error instead. */
static void clearance_pq_ignore_notice(void *argument, const char *message) { (void)argument; (void)message; }
static inline void clearance_pq_silence_notices(PGconn *connection) {
    PQsetNoticeProcessor(connection, clearance_pq_ignore_notice, 0);
}
