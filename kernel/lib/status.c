/* Names of status codes, for error messages in the loader, the kernel and tests. */
#include <exo/status.h>

const char *status_str(status_t s) {
    switch (s) {
    case STATUS_OK:
        return "STATUS_OK";
    case ERR_INVALID:
        return "ERR_INVALID";
    case ERR_NO_MEMORY:
        return "ERR_NO_MEMORY";
    case ERR_NOT_FOUND:
        return "ERR_NOT_FOUND";
    case ERR_RANGE:
        return "ERR_RANGE";
    case ERR_TRUNCATED:
        return "ERR_TRUNCATED";
    case ERR_BAD_FORMAT:
        return "ERR_BAD_FORMAT";
    case ERR_UNSUPPORTED:
        return "ERR_UNSUPPORTED";
    case ERR_OVERLAP:
        return "ERR_OVERLAP";
    case ERR_PERM:
        return "ERR_PERM";
    case ERR_TOO_BIG:
        return "ERR_TOO_BIG";
    case ERR_ALIGN:
        return "ERR_ALIGN";
    case ERR_STATE:
        return "ERR_STATE";
    case ERR_AGAIN:
        return "ERR_AGAIN";
    case ERR_CHECKSUM:
        return "ERR_CHECKSUM";
    case ERR_TIMEOUT:
        return "ERR_TIMEOUT";
    case ERR_FAULT:
        return "ERR_FAULT";
    case ERR_BAD_HANDLE:
        return "ERR_BAD_HANDLE";
    case ERR_STALE:
        return "ERR_STALE";
    case ERR_WRONG_TYPE:
        return "ERR_WRONG_TYPE";
    case ERR_RIGHTS:
        return "ERR_RIGHTS";
    case ERR_TABLE_FULL:
        return "ERR_TABLE_FULL";
    case ERR_QUOTA:
        return "ERR_QUOTA";
    case ERR_BUSY:
        return "ERR_BUSY";
    case ERR_CANCELED:
        return "ERR_CANCELED";
    case ERR_CLOSED:
        return "ERR_CLOSED";
    default:
        return "ERR_UNKNOWN";
    }
}
