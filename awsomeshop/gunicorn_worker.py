"""gunicorn's threaded worker, answering the liveness check in its own event loop.

Every request waits for one of the worker's threads; when all of them are stuck (a database
that stopped answering holds each for up to its read timeout), a liveness check queued behind them
would go unanswered and the load balancer would take a healthy task out. So a new connection
whose request is `GET /health/live/` is answered here, by the loop that accepts connections,
without a thread: the answer says the process is up and serving, which is what liveness means.
Everything else goes to the threads as before (the Django middleware answers liveness too, for
the development server and the tests' servers).
"""

import selectors
import socket

from gunicorn.workers.gthread import ThreadWorker

LIVENESS_REQUEST = b"GET /health/live/ "
LIVENESS_ANSWER = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 16\r\n"
    b"Cache-Control: no-store\r\nConnection: close\r\n\r\n"
    b'{"status": "ok"}'
)
# How long the accepting loop waits for a new connection's first bytes: a health checker sends
# its request at once; anyone slower goes to the threads, which wait for data as before.
FIRST_BYTES_WAIT_SECONDS = 0.05


class HealthFirstThreadWorker(ThreadWorker):
    def enqueue_req(self, conn) -> None:
        if not conn.initialized and self._answered_liveness(conn):
            return
        super().enqueue_req(conn)

    def _answered_liveness(self, conn) -> bool:
        sock = conn.sock
        try:
            # A selector, not select(): select() refuses descriptors past 1023, which a busy worker has.
            with selectors.DefaultSelector() as waiting:
                waiting.register(sock, selectors.EVENT_READ)
                if not waiting.select(FIRST_BYTES_WAIT_SECONDS):
                    return False
            if sock.recv(len(LIVENESS_REQUEST), socket.MSG_PEEK) != LIVENESS_REQUEST:
                return False
            sock.setblocking(False)
            # The request is read before the answer: closing with unread bytes would reset the
            # connection under the checker's feet.
            while sock.recv(65536):
                pass
        except BlockingIOError:
            pass
        except (OSError, ValueError):
            return False
        try:
            sock.setblocking(True)
            sock.sendall(LIVENESS_ANSWER)
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        finally:
            self.nr_conns -= 1
            conn.close()
        return True
