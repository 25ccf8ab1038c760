#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora (tests/fuzz/seeds/<target>/) from the protocol
documents' test vectors and the repository's own example inputs. Run by hand when the
vectors or a target's input format change; the seeds are committed so that a clean clone
fuzzes from them without the documents.

    tests/fuzz/make_seeds.py PROTOCOL_DOCS_DIR     (the folder of protocol-v5.md, protocol-v3.md)
"""
import hashlib
import pathlib
import re
import struct
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
SEEDS = ROOT / "tests/fuzz/seeds"
HEX_PAIR = re.compile(r"^(?:[0-9A-Fa-f]{2}\s*)+$")


def vectors(document):
    """Every byte string in the code blocks of the document's test-vector section."""
    text = document.read_text(encoding="utf-8")
    section = text[text.index("Test vectors\n\n"):]
    out = []
    for block in re.findall(r"```\n(.*?)```", section, re.S):
        current = bytearray()
        for line in block.splitlines():
            label = re.match(r"^\s*([a-z]*[g-z][a-z0-9]*)\s+(.*)$", line)  # "plain", "cipher"
            body = label.group(2) if label else line.strip()
            offset = re.match(r"^([0-9A-Fa-f]{4}):\s*(.*)$", body)
            if offset:
                body = offset.group(2)
            starts_item = bool(label) or (offset and offset.group(1) == "0000")
            if starts_item and current:
                out.append(bytes(current))
                current = bytearray()
            body = body.replace(" ", "")
            if body and re.fullmatch(r"(?:[0-9A-Fa-f]{2})+", body):
                current += bytes.fromhex(body)
        if current:
            out.append(bytes(current))
    return sorted(set(v for v in out if len(v) >= 2))


def write(target, seeds):
    folder = SEEDS / target
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    for seed in seeds:
        (folder / hashlib.sha1(seed).hexdigest()).write_bytes(seed)
    print(f"{target}: {len(seeds)} seeds")


def record(command, body, selector=0):
    """One packet of a worker script (tests/fuzz/packet_script.hpp)."""
    return struct.pack("<BHH", selector, command, len(body)) + body


def scripts(packets, header_size, command_at):
    """Each packet as a script of its own, and all of them as one session."""
    records = [record(struct.unpack_from("<H", p, command_at)[0], p[header_size:])
               for p in packets if len(p) >= header_size]
    return records + [b"".join(records)] if records else []


def batch(kind, datagrams):
    out = struct.pack("<BBH", 1, kind, len(datagrams))
    for i, d in enumerate(datagrams):
        out += struct.pack("<IHqH", 0x0100007F, 4000 + i, 1_700_000_000_000_000, len(d)) + d
    return out


def peer_messages(datagrams):
    body = datagrams[0] if datagrams else b""
    deliver = struct.pack("<BBQH", 1, 16, 7, 1) + struct.pack("<IIBHHH", 100001, 0x1111, 5, 0x0104, 3, len(body)) \
        + body + struct.pack("<HH", 0, 0xFFFF)
    kick = struct.pack("<BBQH", 1, 17, 8, 1) + struct.pack("<IIIH", 100001, 0x1111, 0x0100007F, 4000)
    result = struct.pack("<BBQH", 1, 18, 7, 2) + struct.pack("<BIBI", 1, 0, 2, 3)
    nudge = struct.pack("<BBH", 1, 20, 1) + struct.pack("<BIqqq", 1, 100001, 60_000, 120_000, 5)
    relay = struct.pack("<BBH", 1, 21, 1) + struct.pack("<IIHH", 100001, 100002, 1, 5) + b"hello" \
        + struct.pack("<IHHIHB", 0x1111, 9, 4, 0x0100007F, 4000, 4) + b"gw-a"
    forward = struct.pack("<BBB", 1, 19, 4) + b"gw-a" + batch(1, datagrams)
    return [deliver, kick, result, nudge, relay, forward]


def v3_fragment_groups(packets):
    """Client groups (index, count order, 0-based) of each packet cut in two, and the same
    packets for the server-split mode."""
    seeds = []
    for p in packets:
        if len(p) < 20:
            continue
        half = len(p) // 2
        pieces = [(0, 2, p[:half]), (1, 2, p[half:])]
        seeds.append(b"\x00" + b"".join(struct.pack("<BBH", i, n, len(s)) + s for i, n, s in pieces))
        seeds.append(b"\x01\x00" + p)
    return seeds


def admin_requests():
    source = (ROOT / "scheduler/admin_api.cpp").read_text(encoding="utf-8")
    templates = sorted(set(re.findall(r'\{\{"[A-Z]+", "(/api/v1/[^"]*)"\}', source)))
    bodies = [b"", b'{"password":"secret"}', b'{"uin":100001,"password":"pw","nick":"alice","email":"a@b.c"}',
              b'{"may_broadcast":true}', b'{"text":"hello","uins":[100001,100002]}',
              b'{"uin":100001,"name":"web","email":"w@x.y","text":"page"}']
    seeds = []
    for t in templates:
        path = t.replace("{uin}", "100001").encode()
        for query, body in [(b"", bodies[0]), (b"limit=5&after=100000&nick=al%20ice", b""),
                            (b"cursor=0&limit=500", b"")] + [(b"", b) for b in bodies[1:]]:
            seeds.append(t.encode() + b"\0" + path + b"\0" + query + b"\0" + body)
    return seeds


def configs():
    files = [ROOT / "deploy/systemd/icq.yaml.example"]
    seeds = [f.read_bytes() for f in files]
    seeds.append(b"redis:\n  port: 6380\n  db: 2\nv5:\n  max_offline_batch: 50\n"
                 b"\0ICQ_REDIS_HOST=127.0.0.2\nICQ_LOG_LEVEL=debug\0redis.timeout_ms=500\nworker.id=w1\n")
    return seeds


def action_rules():
    rules = (b"rules:\n  - name: vip-login\n    on: login\n"
             b"    when: {uins: [100001], protocol: [5], status: [online, away], address: [10.0.0.0/8]}\n"
             b"    rate: {count: 10, per_s: 60}\n    actions:\n      - log: 'VIP {uin} from {address}'\n"
             b"      - icq_message: {to: [100002], text: '{uin} is online'}\n"
             b"      - webhook: {url: 'https://h.example.org/icq', secret_env: HOOK, tries: 3, backoff_s: 1}\n"
             b"      - mail: {url: 'smtp://m:25', from: 'a@b.c', to: [o@b.c], subject: '{kind}', text: '{at}'}\n"
             b"      - run: {argv: [/bin/true, '{uin}'], timeout_s: 2}\n")
    fields = b"\0protocol=5\naddress=10.1.2.3\nstatus=1\n"
    return [rules + fields, b"rules: []" + fields, b"rules:\n  - name: r\n    on: logon\n    actions: [{log: x}]\n"]


def main():
    docs = pathlib.Path(sys.argv[1])
    v5 = vectors(docs / "protocol-v5.md")
    v3 = vectors(docs / "protocol-v3.md")
    v5_packets = [v for v in v5 if v[:2] == b"\x05\x00"]
    v3_packets = [v for v in v3 if v[:2] == b"\x03\x00"]
    write("v5_datagram", v5_packets)
    write("v5_worker", scripts(v5_packets, 0x18, 0x0E))
    write("v3_datagram", v3_packets)
    write("v3_worker", scripts(v3_packets, 16, 2))
    write("v3_fragments", v3_fragment_groups(v3_packets))
    write("envelope", [batch(1, v5_packets[:4]), batch(2, v3_packets[:4]), struct.pack("<BBI", 1, 3, 64),
                       struct.pack("<BBI", 1, 4, 8), struct.pack("<BBI", 1, 5, 0)] + peer_messages(v5_packets[:2]))
    write("config", configs())
    write("admin_request", admin_requests())
    write("action_rules", action_rules())


if __name__ == "__main__":
    main()
