/*
 * virtio-blk (virtio 1.x §5.2): the device model, independent of the
 * transport.  virtio-blk-pci (hw/virtio/virtio-blk-pci.c) wraps it.
 */
#ifndef HW_VIRTIO_VIRTIO_BLK_H
#define HW_VIRTIO_VIRTIO_BLK_H

#include "hw/qdev-core.h"
#include "hw/virtio/virtio.h"
#include "sysemu/block-backend.h"

/* Feature bits (§5.2.3). */
#define VIRTIO_BLK_F_SIZE_MAX       1
#define VIRTIO_BLK_F_SEG_MAX        2
#define VIRTIO_BLK_F_GEOMETRY       4
#define VIRTIO_BLK_F_RO             5
#define VIRTIO_BLK_F_BLK_SIZE       6
#define VIRTIO_BLK_F_SCSI           7
#define VIRTIO_BLK_F_FLUSH          9       /* legacy name VIRTIO_BLK_F_WCE */
#define VIRTIO_BLK_F_WCE            9
#define VIRTIO_BLK_F_TOPOLOGY       10
#define VIRTIO_BLK_F_CONFIG_WCE     11
#define VIRTIO_BLK_F_MQ             12
#define VIRTIO_BLK_F_DISCARD        13
#define VIRTIO_BLK_F_WRITE_ZEROES   14

/* Request types and statuses (§5.2.6). */
#define VIRTIO_BLK_T_IN             0
#define VIRTIO_BLK_T_OUT            1
#define VIRTIO_BLK_T_SCSI_CMD       2
#define VIRTIO_BLK_T_FLUSH          4
#define VIRTIO_BLK_T_GET_ID         8
#define VIRTIO_BLK_T_DISCARD        11
#define VIRTIO_BLK_T_WRITE_ZEROES   13
#define VIRTIO_BLK_T_BARRIER        0x80000000u
#define VIRTIO_BLK_S_OK             0
#define VIRTIO_BLK_S_IOERR          1
#define VIRTIO_BLK_S_UNSUPP         2
#define VIRTIO_BLK_ID_BYTES         20
#define VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP 1

/* struct virtio_blk_config field offsets. */
#define VIRTIO_BLK_CFG_CAPACITY             0
#define VIRTIO_BLK_CFG_SIZE_MAX             8
#define VIRTIO_BLK_CFG_SEG_MAX              12
#define VIRTIO_BLK_CFG_CYLINDERS            16
#define VIRTIO_BLK_CFG_HEADS                18
#define VIRTIO_BLK_CFG_SECTORS              19
#define VIRTIO_BLK_CFG_BLK_SIZE             20
#define VIRTIO_BLK_CFG_PHYS_BLOCK_EXP       24
#define VIRTIO_BLK_CFG_ALIGNMENT_OFFSET     25
#define VIRTIO_BLK_CFG_MIN_IO_SIZE          26
#define VIRTIO_BLK_CFG_OPT_IO_SIZE          28
#define VIRTIO_BLK_CFG_WCE                  32
#define VIRTIO_BLK_CFG_NUM_QUEUES           34
#define VIRTIO_BLK_CFG_MAX_DISCARD_SECTORS  36
#define VIRTIO_BLK_CFG_MAX_DISCARD_SEG      40
#define VIRTIO_BLK_CFG_DISCARD_ALIGNMENT    44
#define VIRTIO_BLK_CFG_MAX_WZ_SECTORS       48
#define VIRTIO_BLK_CFG_MAX_WZ_SEG           52
#define VIRTIO_BLK_CFG_WZ_MAY_UNMAP         56
#define VIRTIO_BLK_CFG_MAX_SIZE             60

#define VIRTIO_BLK_AUTO_NUM_QUEUES  UINT16_MAX
#define VIRTIO_BLK_MAX_MERGE_REQS   32

typedef struct VirtIOBlkConf {
    char *drive;
    char *serial;
    uint16_t num_queues;
    uint16_t queue_size;
    OnOffAuto wce;                  /* write-cache= */
    uint32_t logical_block_size;
    uint32_t physical_block_size;
    uint32_t min_io_size;
    uint32_t opt_io_size;
    uint32_t cyls, heads, secs;
    uint32_t max_discard_sectors;
    uint32_t max_write_zeroes_sectors;
    bool config_wce;
    bool discard;
    bool write_zeroes;
    bool seg_max_adjust;
    bool request_merging;
    bool x_enable_wce_if_config_wce;
} VirtIOBlkConf;

typedef struct VirtIOBlockReq VirtIOBlockReq;

typedef struct VirtIOBlock {
    VirtIODevice parent_obj;
    BlockBackend *blk;
    VirtIOBlkConf conf;
    uint64_t host_features;         /* the device's own feature bits */
    size_t config_size;
    bool original_wce;              /* restored by a device reset */
    uint64_t sector_mask;
    VirtIOBlockReq *rq;             /* requests held back by rerror/werror=stop */
    unsigned in_flight;
} VirtIOBlock;

struct VirtIOBlockReq {
    VirtQueueElement elem;          /* first: virtqueue_pop allocates the request */
    VirtIOBlock *dev;
    VirtQueue *vq;
    int64_t sector_num;
    uint32_t type;
    uint8_t *in;                    /* the status byte, in guest RAM */
    size_t in_len;
    struct iovec *iov_copy;         /* out then in, trimmed of header/status */
    QEMUIOVector qiov;
    BlockAcctCookie acct;
    VirtIOBlockReq *next;           /* held-back list */
    VirtIOBlockReq *mr_next;        /* requests merged behind this one */
};

/* Properties every virtio-blk transport device offers (on VirtIOBlkConf @f of @st). */
#define DEFINE_VIRTIO_BLK_PROPS(st, f) \
    DEFINE_PROP_STRING("drive", st, f.drive), \
    DEFINE_PROP_STRING("serial", st, f.serial), \
    DEFINE_PROP_UINT16("num-queues", st, f.num_queues, VIRTIO_BLK_AUTO_NUM_QUEUES), \
    DEFINE_PROP_UINT16("queue-size", st, f.queue_size, 256), \
    DEFINE_PROP_ON_OFF_AUTO("write-cache", st, f.wce, ON_OFF_AUTO_AUTO), \
    DEFINE_PROP_UINT32("logical_block_size", st, f.logical_block_size, 512), \
    DEFINE_PROP_UINT32("physical_block_size", st, f.physical_block_size, 0), \
    DEFINE_PROP_UINT32("min_io_size", st, f.min_io_size, 0), \
    DEFINE_PROP_UINT32("opt_io_size", st, f.opt_io_size, 0), \
    DEFINE_PROP_UINT32("cyls", st, f.cyls, 0), \
    DEFINE_PROP_UINT32("heads", st, f.heads, 0), \
    DEFINE_PROP_UINT32("secs", st, f.secs, 0), \
    DEFINE_PROP_BOOL("config-wce", st, f.config_wce, true), \
    DEFINE_PROP_BOOL("discard", st, f.discard, true), \
    DEFINE_PROP_BOOL("write-zeroes", st, f.write_zeroes, true), \
    DEFINE_PROP_UINT32("max-discard-sectors", st, f.max_discard_sectors, \
                       BDRV_REQUEST_MAX_SECTORS), \
    DEFINE_PROP_UINT32("max-write-zeroes-sectors", st, f.max_write_zeroes_sectors, \
                       BDRV_REQUEST_MAX_SECTORS), \
    DEFINE_PROP_BOOL("seg-max-adjust", st, f.seg_max_adjust, true), \
    DEFINE_PROP_BOOL("request-merging", st, f.request_merging, true), \
    DEFINE_PROP_BOOL("x-enable-wce-if-config-wce", st, f.x_enable_wce_if_config_wce, true)

/*
 * Check the configuration, claim the drive (already found by the caller
 * and stored in s->blk) and set up the VirtIODevice with its queues.
 */
bool virtio_blk_device_realize(VirtIOBlock *s, Error **errp);
void virtio_blk_device_unrealize(VirtIOBlock *s);
/* Resubmit requests held back by rerror/werror=stop (the VM resumed). */
void virtio_blk_restart_held(VirtIOBlock *s);
/* The same for every virtio-blk device (the run state's resume hook calls it). */
void virtio_blk_restart_all_held(void);
/* Create a virtio-blk-pci device for every -drive if=virtio (machine init). */
bool virtio_blk_pci_create_drives(Error **errp);

#endif
