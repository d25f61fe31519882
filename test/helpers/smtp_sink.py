"""A throw-away SMTP server for tests, on Debian's python3-aiosmtpd.

Listens on 127.0.0.1 on a free port and prints `PORT <n>` once it does, then one JSON line per
message it accepts: envelope sender, recipients, the authenticated login, the decoded subject and
plain-text body, and the raw message.
AUTH (PLAIN, LOGIN) is offered without TLS and succeeds only with argv[1] as user and argv[2] as
password. A recipient whose local part starts with `greylist` is refused once with a 451 (try
again later, RFC 5321 4.2.1), then accepted.
"""
import asyncio
import email
import email.policy
import json
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

USER, PASSWORD = sys.argv[1].encode(), sys.argv[2].encode()


class Sink:
    def __init__(self):
        self.greylisted = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("greylist") and address not in self.greylisted:
            self.greylisted.add(address)
            return "451 4.7.1 Greylisted, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        login = session.auth_data.decode() if isinstance(session.auth_data, bytes) else None
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        body = message.get_body(preferencelist=("plain",))
        line = {
            "from": envelope.mail_from,
            "to": envelope.rcpt_tos,
            "login": login,
            "subject": str(message["subject"]),
            "text": body.get_content() if body is not None else "",
            "data": envelope.original_content.decode("utf-8", "replace"),
        }
        print(json.dumps(line), flush=True)
        return "250 2.0.0 Message accepted for delivery"


def authenticate(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == USER and auth_data.password == PASSWORD
    return AuthResult(success=ok, handled=False, auth_data=auth_data.login if ok else None)


async def main():
    sink = Sink()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(sink, authenticator=authenticate, auth_require_tls=False, hostname="sink.test"),
        "127.0.0.1",
        0,
    )
    print("PORT", server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()


asyncio.run(main())
