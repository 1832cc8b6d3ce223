/** Exit codes of the `introducer` command. */
export const EXIT_OK = 0
/** Failure at run time. */
export const EXIT_FAILURE = 1
/** Bad usage or configuration: nothing was started. */
export const EXIT_USAGE = 2
/** The running node could not be reached. */
export const EXIT_UNREACHABLE = 3
