/*
 * frame.h — how one message between two nodes is laid out on the wire (FISCO's P2PMessageRC2,
 * fisco-2x-facts §1.11).
 *
 * Nodes share nothing: everything one node tells another is turned into bytes here and read
 * back on the other side, whether the bytes cross a real network or the simulator's. Every
 * message starts with a 16-byte header, all numbers big-endian:
 *
 *     u32 length        header + body, in bytes
 *     u16 version       bit 0x8000: the body is compressed (we never compress)
 *     i32 protocolID    (groupID << 16) | moduleID; negative for a response
 *     u16 packetType    what the module means by the body (PBFT's PrepareReq, sync's Status...)
 *     u32 seq           lets a response name its request
 *     ... body          RLP, the module's business
 *
 * The protocolID is what makes groups work: a node reads the group from it before anything else
 * and drops the message unless it is a member of that group (node/node.c).
 */
#ifndef BL_NET_FRAME_H
#define BL_NET_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "base/bytes.h"
#include "net/env.h"

#define FRAME_HEADER_LEN 16
#define FRAME_VERSION 0
#define FRAME_COMPRESSED 0x8000
#define FRAME_BODY_MAX (16u * 1024 * 1024) /* refuse anything bigger before reading it */
#define FRAME_GROUP_MAX 32767              /* FISCO's maxGroupID */

/* Module IDs (FISCO's libethcore/Protocol.h). */
enum {
    MODULE_AMOP = 1,
    MODULE_TOPIC = 2,
    MODULE_PBFT = 8,
    MODULE_SYNC = 9,
    MODULE_TXPOOL = 10,
    MODULE_RAFT = 11,
    MODULE_SOLO = 12,  /* ours: the one-sealer stand-in for consensus (timers only, no messages) */
    MODULE_NODE = 100, /* ours: a node's own business, not a group's (the admission handshake) */
};

typedef struct {
    uint16_t version;
    int32_t protocol_id;
    uint16_t packet_type;
    uint32_t seq;
    bl_span_t body; /* decoding: points into the decoded bytes */
} frame_t;

/* (groupID << 16) | moduleID, and back. A response carries the negated id. */
int32_t frame_protocol_id(unsigned group, unsigned module);
unsigned frame_group(int32_t protocol_id);
unsigned frame_module(int32_t protocol_id);

/* Append the header and the body to out. */
void frame_encode(const frame_t *f, bl_buf_t *out);

/* Read one whole message: the length field must equal len, the version must be known and
 * uncompressed, the group within FISCO's range (0 for a node's own traffic). Anything else is
 * refused with BL_E_FORMAT and a reason; f->body points into p. */
int frame_decode(const uint8_t *p, size_t len, frame_t *f);

/* Frame body as packet `type` of (group, module) and hand it to env for node `to`: how
 * protocol code sends every message. */
void frame_send(env_t *e, unsigned to, unsigned group, unsigned module, unsigned type,
                bl_span_t body);

#endif
