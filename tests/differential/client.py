"""Sending a scenario's steps to one side, and what comes back."""
import base64
import http.client
import json
import re
import urllib.parse

from servers import SideError

VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
REPLY_TIMEOUT = 20   # seconds; DRF answers the largest step in about one


class StepError(Exception):
    pass


class Reply:
    """One response: status, headers (names lower-cased, in order), body."""

    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def header(self, name):
        """All values of a header, joined as one field would be."""
        values = [v for k, v in self.headers if k == name.lower()]
        return ", ".join(values) if values else None

    def json(self):
        return json.loads(self.body.decode("utf-8"))


class SideState:
    """What one side remembers across the steps of a scenario."""

    def __init__(self, side, users, client_ip):
        self.side = side
        self.users = users
        self.client_ip = client_ip
        self.variables = {}

    # -- substitution --------------------------------------------------------
    def variable(self, name):
        if name not in self.variables:
            raise StepError("${%s} was never saved" % name)
        return self.variables[name]

    def substitute(self, text):
        return VARIABLE.sub(lambda match: str(self.variable(match.group(1))), text)

    def substitute_json(self, value):
        if isinstance(value, str):
            whole = VARIABLE.fullmatch(value)
            return self.variable(whole.group(1)) if whole else self.substitute(value)
        if isinstance(value, list):
            return [self.substitute_json(v) for v in value]
        if isinstance(value, dict):
            return {k: self.substitute_json(v) for k, v in value.items()}
        return value

    # -- requests ------------------------------------------------------------
    def target(self, path):
        """The path and query to request: a saved absolute URL keeps only
        its path and query, and goes to this side's server."""
        path = self.substitute(path)
        if path.startswith(("http://", "https://")):
            parts = urllib.parse.urlsplit(path)
            path = parts.path + ("?" + parts.query if parts.query else "")
        return path

    def prepare(self, step):
        """The headers and body of the step's request on this side."""
        headers = {"X-Forwarded-For": self.client_ip}
        if step.user is not None:
            headers["Authorization"] = "Token " + self.user(step.user)["token"]
        if step.basic is not None:
            name, password = ((step.basic, self.user(step.basic)["password"])
                              if isinstance(step.basic, str) else step.basic)
            credentials = base64.b64encode(("%s:%s" % (name, password)).encode()).decode()
            headers["Authorization"] = "Basic " + credentials
        body, content_type = self.request_body(step)
        if content_type is not None:
            headers["Content-Type"] = content_type
        for name, value in step.headers.items():
            headers = {k: v for k, v in headers.items() if k.lower() != name.lower()}
            if value is not None:
                headers[name] = self.substitute(value)
        return headers, body

    def user(self, name):
        if name not in self.users:
            raise StepError("no user %r in users.json" % name)
        return self.users[name]

    def request_body(self, step):
        if step.json is not None:
            text = json.dumps(self.substitute_json(step.json), separators=(",", ":"),
                              ensure_ascii=False)
            return text.encode("utf-8"), step.content_type or "application/json"
        if step.form is not None:
            fields = {k: self.substitute(str(v)) for k, v in step.form.items()}
            return (urllib.parse.urlencode(fields).encode("ascii"),
                    step.content_type or "application/x-www-form-urlencoded")
        if step.body is not None:
            body = step.body if isinstance(step.body, bytes) else self.substitute(step.body).encode("utf-8")
            return body, step.content_type
        return None, step.content_type

    def send(self, step):
        url = urllib.parse.urlsplit(self.side.base_url)
        headers, body = self.prepare(step)
        connection = http.client.HTTPConnection(url.hostname, url.port, timeout=REPLY_TIMEOUT)
        try:
            connection.putrequest(step.method, self.target(step.path),
                                  skip_accept_encoding=True)
            for name, value in headers.items():
                connection.putheader(name, value)
            if body is not None:
                connection.putheader("Content-Length", str(len(body)))
            try:
                connection.endheaders(body)
            except (BrokenPipeError, ConnectionResetError):
                pass   # answered before the body was read (413): read that answer
            response = connection.getresponse()
            reply = Reply(response.status,
                          [(k.lower(), v) for k, v in response.getheaders()],
                          response.read())
        except (OSError, http.client.HTTPException) as exc:
            raise StepError("%s: %s" % (self.side.label(), exc)) from exc
        finally:
            connection.close()
        self.save(step, reply)
        return reply

    def save(self, step, reply):
        for name, where in step.save.items():
            self.variables[name] = extract(reply, where)

    def run_sql(self, step):
        try:
            self.side.run_sql(self.substitute(step.statement), step.db)
        except SideError as exc:
            raise StepError(str(exc)) from exc


def extract(reply, where):
    """A value of a response: `header:Name` or a dotted path into its JSON."""
    if where.startswith("header:"):
        value = reply.header(where[len("header:"):])
        if value is None:
            raise StepError("cannot save %s: no such header" % where)
        return value
    try:
        value = reply.json()
        for part in where.split("."):
            value = value[int(part)] if isinstance(value, list) else value[part]
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise StepError("cannot save %r from the response (status %d): %s"
                        % (where, reply.status, exc)) from exc
    return value
