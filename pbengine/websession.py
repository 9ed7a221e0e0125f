"""The Pyramid session, kept in the database (``services.sessions``); the cookie holds only a random token.

Any app server reads and ends the same sessions, so ``invalidate()`` (logout, leaving the booth)
and ending an organizer's sessions (password change) hold everywhere at once. Changes are
written after the request's own transaction has ended, in one short transaction of their own
(so they never wait on a lock the request holds).
"""

from __future__ import annotations

import time

from pyramid.interfaces import ISession
from zope.interface import implementer

from .models.meta import utcnow
from .services import sessions

COOKIE = "pbsession"
CSRF_COOKIE = "pbcsrf"  # the CSRF token's double-submit cookie (pbengine.security)
ORGANIZER_KEY = "organizer_id"


def _changes(method):
    def wrapped(self, *args, **kwargs):
        self.changed()
        return method(self, *args, **kwargs)

    wrapped.__name__ = method.__name__
    return wrapped


@implementer(ISession)
class DatabaseSession(dict):
    def __init__(self, request, secret: str, session_factory, secure: bool):
        self._secret, self._factory, self._secure = secret, session_factory, secure
        self._dirty = self._renew = self._drop_cookie = False
        self._ended: list[str] = []
        token = request.cookies.get(COOKIE) or None
        loaded = None
        if token is not None and len(token) <= 64:
            with self._factory() as db:
                loaded = sessions.load(db, secret, token)
        if loaded is None:
            self._token, self.new, self.created = None, True, time.time()
            self._drop_cookie = token is not None  # a stale or forged cookie is removed
        else:
            super().__init__(loaded.data)
            self._token, self.new = token, False
            self.created = loaded.created_at.timestamp()
            self._created_at = loaded.created_at
            self._renew = loaded.needs_renewal(utcnow())
        request.add_response_callback(self._finish)

    # ISession
    def changed(self):
        self._dirty = True

    def invalidate(self):
        """End this session on the server (when the response is sent); a next change starts a new one."""
        if self._token is not None:
            self._ended.append(self._token)
            self._drop_cookie = True
        self._token, self.new, self._renew = None, True, False
        dict.clear(self)

    def flash(self, msg, queue="", allow_duplicate=True):
        storage = self.setdefault("_f_" + queue, [])
        if allow_duplicate or msg not in storage:
            storage.append(msg)
            self.changed()

    def pop_flash(self, queue=""):
        key = "_f_" + queue
        return self.pop(key) if key in self else []  # reading no message writes nothing

    def peek_flash(self, queue=""):
        return self.get("_f_" + queue, [])

    def new_csrf_token(self):
        token = sessions.new_token()
        self["_csrft_"] = token
        return token

    def get_csrf_token(self):
        return self.get("_csrft_") or self.new_csrf_token()

    __setitem__ = _changes(dict.__setitem__)
    __delitem__ = _changes(dict.__delitem__)
    clear = _changes(dict.clear)
    update = _changes(dict.update)
    setdefault = _changes(dict.setdefault)
    pop = _changes(dict.pop)
    popitem = _changes(dict.popitem)

    def _finish(self, request, response):
        save = self._dirty and (self._token is not None or len(self) > 0)
        renew = not save and self._renew and self._token is not None
        if not (save or renew or self._ended):
            if self._drop_cookie:
                response.delete_cookie(COOKIE, path="/")
            return
        if save and self._token is None:
            self._token = sessions.new_token()
        with self._factory() as db, db.begin():
            for token in self._ended:
                sessions.end(db, self._secret, token)
            if save:
                sessions.save(db, self._secret, self._token, dict(self), self.get(ORGANIZER_KEY))
            elif renew:
                sessions.renew(db, self._secret, self._token, self._created_at)
        if save:
            response.set_cookie(COOKIE, self._token, path="/", httponly=True, samesite="Lax", secure=self._secure)
        elif self._drop_cookie:
            response.delete_cookie(COOKIE, path="/")


def session_factory(settings: dict, db_factory_getter):
    """An ISessionFactory: ``db_factory_getter(request)`` gives the sessionmaker to use."""
    secret = settings["pbengine.secret"]
    secure = settings.get("pbengine.secure_cookies", "false").lower() == "true"

    def factory(request):
        return DatabaseSession(request, secret, db_factory_getter(request), secure)

    return factory
