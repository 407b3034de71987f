#!/usr/bin/env python3
"""A real SMTP server on loopback for Hookwork's tests (aiosmtpd).

Prints "PORT <n>" once it listens, then records each accepted message as one JSON line in --out:
{"mail_from", "rcpt_tos", "data" (the raw DATA text, base64), "auth_user", "tls"}. Runs until killed.

Options: --auth USER:PASSWORD (require AUTH; --only-login offers LOGIN only), --cert/--key (offer and require STARTTLS),
--refuse ADDRESS (550 for that RCPT). Each record also has the subject, from, to, reply_to, headers and body as
Python's e-mail package decodes them.
"""
import argparse
import asyncio
import base64
import email
import email.policy
import json
import socket
import sys
import warnings

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, SMTP


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Handler:
    def __init__(self, out, refuse):
        self.out = out
        self.refuse = set(a.lower() for a in refuse)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "data": base64.b64encode(envelope.original_content or envelope.content).decode(),
            "auth_user": session.authenticated and getattr(session.auth_data, "login", b"").decode() or None,
            "tls": server.transport.get_extra_info("sslcontext") is not None,
        }
        # What a mail client would show, parsed by Python's own e-mail package (independent of Hookwork's encoder).
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        record["subject"] = str(message["subject"] or "")
        record["from"] = str(message["from"] or "")
        record["to"] = str(message["to"] or "")
        record["reply_to"] = str(message["reply-to"] or "")
        record["headers"] = {k.lower(): str(v) for k, v in message.items()}
        record["body"] = message.get_content().replace("\r\n", "\n")
        with open(self.out, "a") as f:
            f.write(json.dumps(record) + "\n")
        return "250 Message accepted for delivery"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--auth")
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--refuse", action="append", default=[])
    parser.add_argument("--only-login", action="store_true", help="offer AUTH LOGIN only")
    options = parser.parse_args()
    warnings.simplefilter("ignore")  # aiosmtpd warns about AUTH without TLS, which a loopback test wants

    kwargs = {}
    if options.auth:
        user, password = options.auth.split(":", 1)

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = auth_data.login.decode() == user and auth_data.password.decode() == password
            return AuthResult(success=True, auth_data=auth_data) if ok else AuthResult(success=False, handled=False)

        kwargs.update(authenticator=authenticator, auth_required=True, auth_require_tls=bool(options.cert))
        if options.only_login:
            kwargs.update(auth_exclude_mechanism=["PLAIN"])
    if options.cert:
        import ssl

        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(options.cert, options.key)
        kwargs.update(tls_context=context, require_starttls=True)

    port = free_port()
    controller = Controller(
        Handler(options.out, options.refuse), hostname="127.0.0.1", port=port, decode_data=False,
        enable_SMTPUTF8=False, **kwargs
    )
    controller.start()
    print(f"PORT {port}", flush=True)
    try:
        sys.stdin.read()  # until the test closes our stdin or kills us
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
