/*
 * I/O accounting: what query-blockstats shows.  Times are host realtime,
 * as in QEMU.
 */
#include <string.h>

#include "block/accounting.h"
#include "qemu/main-loop.h"

void block_acct_init(BlockAcctStats *stats)
{
    memset(stats, 0, sizeof(*stats));
    stats->account_invalid = stats->account_failed = true;
}

void block_acct_start(BlockAcctStats *stats, BlockAcctCookie *cookie, int64_t bytes,
                      enum BlockAcctType type)
{
    cookie->bytes = bytes;
    cookie->start_time_ns = qemu_clock_get_ns(QEMU_CLOCK_REALTIME);
    cookie->type = type;
}

static void block_account_one(BlockAcctStats *stats, BlockAcctCookie *cookie, bool failed)
{
    int64_t now = qemu_clock_get_ns(QEMU_CLOCK_REALTIME);

    if (cookie->type == BLOCK_ACCT_NONE) {
        return;
    }
    if (failed) {
        stats->failed_ops[cookie->type]++;
    } else {
        stats->nr_bytes[cookie->type] += cookie->bytes;
        stats->nr_ops[cookie->type]++;
    }
    if (!failed || stats->account_failed) {
        stats->total_time_ns[cookie->type] += now - cookie->start_time_ns;
        stats->last_access_time_ns = now;
    }
    cookie->type = BLOCK_ACCT_NONE;
}

void block_acct_done(BlockAcctStats *stats, BlockAcctCookie *cookie)
{
    block_account_one(stats, cookie, false);
}

void block_acct_failed(BlockAcctStats *stats, BlockAcctCookie *cookie)
{
    block_account_one(stats, cookie, true);
}

void block_acct_invalid(BlockAcctStats *stats, enum BlockAcctType type)
{
    stats->invalid_ops[type]++;
    if (stats->account_invalid) {
        stats->last_access_time_ns = qemu_clock_get_ns(QEMU_CLOCK_REALTIME);
    }
}

void block_acct_merge_done(BlockAcctStats *stats, enum BlockAcctType type, int num_requests)
{
    if (type < BLOCK_MAX_IOTYPE) {
        stats->merged[type] += num_requests;
    }
}

void block_acct_write_end(BlockAcctStats *stats, uint64_t offset_end)
{
    if (offset_end > stats->wr_highest_offset) {
        stats->wr_highest_offset = offset_end;
    }
}
