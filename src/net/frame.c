/*
 * frame.c — FISCO's message header, written and read (frame.h has the layout).
 *
 * Reading is where a node meets bytes it did not make, so frame_decode trusts nothing: the
 * length must match what arrived, the version must be one we speak, the group must be in range.
 * A frame that passes says only that the header is well formed; the module that owns the
 * protocolID still checks the body.
 */
#include "net/frame.h"

#include "base/error.h"

static void
put_u16(bl_buf_t *out, uint16_t v)
{
    uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

    bl_buf_append(out, b, 2);
}

static void
put_u32(bl_buf_t *out, uint32_t v)
{
    uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };

    bl_buf_append(out, b, 4);
}

static uint16_t
get_u16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int32_t
frame_protocol_id(unsigned group, unsigned module)
{
    return (int32_t)((group & 0x7fff) << 16 | (module & 0xffff));
}

/* A response's id is the request's negated; the group and module are those of the request. */
unsigned
frame_group(int32_t protocol_id)
{
    uint32_t id = protocol_id < 0 ? (uint32_t)(-(int64_t)protocol_id) : (uint32_t)protocol_id;

    return id >> 16 & 0x7fff;
}

unsigned
frame_module(int32_t protocol_id)
{
    uint32_t id = protocol_id < 0 ? (uint32_t)(-(int64_t)protocol_id) : (uint32_t)protocol_id;

    return id & 0xffff;
}

void
frame_encode(const frame_t *f, bl_buf_t *out)
{
    bl_buf_reserve(out, FRAME_HEADER_LEN + f->body.len);
    put_u32(out, (uint32_t)(FRAME_HEADER_LEN + f->body.len));
    put_u16(out, f->version);
    put_u32(out, (uint32_t)f->protocol_id);
    put_u16(out, f->packet_type);
    put_u32(out, f->seq);
    bl_buf_append(out, f->body.ptr, f->body.len);
}

int
frame_decode(const uint8_t *p, size_t len, frame_t *f)
{
    uint32_t length;

    if (len < FRAME_HEADER_LEN)
        return bl_fail(BL_E_FORMAT, "a message of %zu bytes is shorter than the %d-byte header",
                       len, FRAME_HEADER_LEN);
    length = get_u32(p);
    if (length != len)
        return bl_fail(BL_E_FORMAT, "the header says %u bytes but %zu arrived", length, len);
    if (len - FRAME_HEADER_LEN > FRAME_BODY_MAX)
        return bl_fail(BL_E_FORMAT, "a body of %zu bytes is over the limit of %u",
                       len - FRAME_HEADER_LEN, FRAME_BODY_MAX);
    f->version = get_u16(p + 4);
    if (f->version & FRAME_COMPRESSED)
        return bl_fail(BL_E_FORMAT, "compressed bodies are not spoken here (version 0x%04x)",
                       f->version);
    if (f->version != FRAME_VERSION)
        return bl_fail(BL_E_FORMAT, "unknown message version %u", f->version);
    f->protocol_id = (int32_t)get_u32(p + 6);
    if (f->protocol_id == INT32_MIN || f->protocol_id == 0)
        return bl_fail(BL_E_FORMAT, "protocolID %d names no module", f->protocol_id);
    f->packet_type = get_u16(p + 10);
    f->seq = get_u32(p + 12);
    f->body = (bl_span_t){ p + FRAME_HEADER_LEN, len - FRAME_HEADER_LEN };
    return BL_OK;
}

void
frame_send(env_t *e, unsigned to, unsigned group, unsigned module, unsigned type,
           bl_span_t body)
{
    frame_t f = { .version = FRAME_VERSION, .protocol_id = frame_protocol_id(group, module),
                  .packet_type = (uint16_t)type, .body = body };
    bl_buf_t out = BL_BUF_INIT;

    frame_encode(&f, &out);
    env_send(e, to, out.data, out.len);
    bl_buf_free(&out);
}
