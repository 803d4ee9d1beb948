"""A real SMTP server for chance-navi's tests (aiosmtpd).

Usage: python3 smtp_sink.py PORT DIR
Saves each message as DIR/NNNNNN.json with the envelope, the decoded subject,
text and HTML bodies and the headers; prints "ready" once it listens.
Recipients containing "bounce" are refused permanently (550), to test bounces.
"""
import json
import os
import sys
import threading
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller


class Saver:
    def __init__(self, folder):
        self.folder = folder
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if "bounce" in address:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        msg = message_from_bytes(raw, policy=policy.default)
        text = msg.get_body(("plain",))
        html = msg.get_body(("html",))
        record = {
            "from": envelope.mail_from,
            "to": envelope.rcpt_tos,
            "subject": str(msg["subject"] or ""),
            "text": text.get_content() if text else None,
            "html": html.get_content() if html else None,
            "headers": [[k, str(v)] for k, v in msg.items()],
        }
        with self.lock:
            n = len([f for f in os.listdir(self.folder) if f.endswith(".json")]) + 1
            path = os.path.join(self.folder, f"{n:06d}.json")
            with open(path + ".tmp", "w", encoding="utf-8") as f:
                json.dump(record, f, ensure_ascii=False)
            os.rename(path + ".tmp", path)
        return "250 Message accepted for delivery"


def main():
    port, folder = int(sys.argv[1]), sys.argv[2]
    os.makedirs(folder, exist_ok=True)
    controller = Controller(Saver(folder), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    try:
        threading.Event().wait()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
