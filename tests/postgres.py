"""A PostgreSQL server of our own, for the tests and the benchmarks: the one place a cluster is made.

A cluster lives in a folder (its data in `pgdata/`, its log in `server.log`) and listens on
127.0.0.1 only, by TCP: it has no Unix socket, so two clusters never meet in /tmp. initdb and
pg_ctl refuse to run as root, so as root they run as the `postgres` user (`runuser`). Every
cluster has a role `app` (password `app`, allowed to create databases, as pytest-django needs)
owning a database `diplo`.

In Python, `throwaway_cluster()` makes one in a temporary folder outside the checkout, yields
it (its `url` is the DATABASE_URL; `stop()` and `start()` take the server down and up again),
and removes it whatever happens. From the shell:

    python -m tests.postgres [--port N] -- COMMAND ...

runs COMMAND with DATABASE_URL naming such a cluster's database, and exits with its status.

Not pytest-postgresql, though it is well kept: it runs initdb and pg_ctl as the current user,
which both refuse as root (CI runs as root), and it is a pytest fixture, while bin/test needs
the cluster around the whole pytest process (Django reads DATABASE_URL at start-up) and the
page benchmark keeps its cluster between runs.
"""

import argparse
import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

SERVERS = Path("/usr/lib/postgresql")  # Debian's layout: /usr/lib/postgresql/<major>/bin
SETTINGS = ["fsync=off"]  # every cluster's: nothing in it has to outlive a crash


class ClusterError(Exception):
    """A step of making, starting or stopping a cluster failed; the message says which and why."""


def server_bin():
    """The newest installed PostgreSQL's bin folder, or None."""
    found = sorted(SERVERS.glob("*/bin/initdb"), key=lambda initdb: int(initdb.parent.parent.name))
    return found[-1].parent if found else None


def missing():
    """What this machine lacks to run a cluster, as a phrase, or None when it lacks nothing."""
    if server_bin() is None:
        return f"PostgreSQL's server ({SERVERS}/*/bin)"
    if os.geteuid() == 0:
        if shutil.which("runuser") is None:
            return "runuser, to run PostgreSQL as the postgres user"
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "the postgres user"
    return None


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def port_in_use(port):
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


class Cluster:
    """A cluster in `folder`, served on 127.0.0.1:`port` (a free one, chosen at the first start,
    when None) with the extra server `settings` ("name=value")."""

    def __init__(self, folder, port=None, settings=()):
        if problem := missing():
            raise ClusterError(f"{problem} is not available here")
        self.folder = Path(folder)
        self.data = self.folder / "pgdata"
        self.log = self.folder / "server.log"
        self.port = port
        self.settings = [*SETTINGS, *settings]
        self.bin = server_bin()
        # initdb and pg_ctl refuse to run as root.
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    @property
    def url(self):
        return f"postgres://app:app@127.0.0.1:{self.port}/diplo"

    def run(self, command, timeout, as_postgres=True):
        prefix = self.as_postgres if as_postgres else []
        # The folder as working directory: the postgres user may not enter ours.
        try:
            result = subprocess.run([*prefix, *map(str, command)], cwd=self.folder, capture_output=True, text=True,
                                    timeout=timeout)
        except subprocess.TimeoutExpired:
            raise ClusterError(f"{Path(command[0]).name} took longer than {timeout} s") from None
        if result.returncode != 0:
            raise ClusterError(f"{' '.join(map(str, command))} failed with exit status {result.returncode}:\n"
                               f"{result.stdout}{result.stderr}")
        return result.stdout

    def create(self):
        """initdb into an empty folder, then start the server and add the role `app` and its database."""
        self.folder.mkdir(parents=True, exist_ok=True)
        if self.as_postgres:
            shutil.chown(self.folder, "postgres", "postgres")
        # --no-sync: a cluster made for a run need not wait for the disk.
        self.run([self.bin / "initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--locale=C.UTF-8", "--no-sync"], timeout=300)
        self.start()
        self.run([self.bin / "psql", "-h", "127.0.0.1", "-p", self.port, "-U", "postgres", "-d", "postgres",
                  "-v", "ON_ERROR_STOP=1", "-q", "-c", "CREATE ROLE app LOGIN PASSWORD 'app' CREATEDB",
                  "-c", "CREATE DATABASE diplo OWNER app"], timeout=60, as_postgres=False)

    def start(self):
        if self.port is None:
            self.port = free_port()
        elif port_in_use(self.port):
            raise ClusterError(f"port {self.port} is in use: choose another")
        options = " ".join([f"-p {self.port}", "-c listen_addresses=127.0.0.1", "-c unix_socket_directories=''",
                            *(f"-c {setting}" for setting in self.settings)])
        self.run([self.bin / "pg_ctl", "-D", self.data, "-l", self.log, "-w", "-t", "120", "-o", options, "start"],
                 timeout=180)

    def stop(self):
        self.run([self.bin / "pg_ctl", "-D", self.data, "-m", "fast", "-w", "-t", "120", "stop"], timeout=180)

    def remove(self):
        """Stops the server at once, if it runs, and deletes the folder."""
        if (self.data / "postmaster.pid").exists():
            with contextlib.suppress(ClusterError):
                self.run([self.bin / "pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop"], timeout=60)
        shutil.rmtree(self.folder, ignore_errors=True)


@contextlib.contextmanager
def throwaway_cluster(port=None, settings=()):
    """A running cluster in a temporary folder outside the checkout; removed on leaving, whatever happens."""
    cluster = Cluster(tempfile.mkdtemp(prefix="diplo-pg."), port, settings)
    try:
        cluster.create()
        yield cluster
    finally:
        cluster.remove()


def run_with_cluster(command, port=None):
    """Runs `command` with DATABASE_URL naming a throwaway cluster's database; its exit status."""
    with throwaway_cluster(port) as cluster:
        child = subprocess.Popen(command, env={**os.environ, "DATABASE_URL": cluster.url})
        # A TERM or a hang-up is passed on as a Ctrl-C, so the command tidies up before the cluster goes.
        for signum in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, lambda *_: child.send_signal(signal.SIGINT))
        try:
            status = child.wait()
        finally:
            wind_down(child)
    return 128 - status if status < 0 else status  # killed by signal N: exit 128 + N, as a shell says


def wind_down(child):
    """A command still running here was interrupted by the same Ctrl-C as we were: give it time
    to tidy up, then end it."""
    if child.poll() is not None:
        return
    try:
        child.wait(timeout=60)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()


def interrupt(signum, frame):
    raise KeyboardInterrupt


def main(argv):
    parser = argparse.ArgumentParser(
        prog="python -m tests.postgres",
        usage="%(prog)s [--port N] -- COMMAND ...",
        description="Runs COMMAND with DATABASE_URL naming a throwaway PostgreSQL cluster's database "
        "(role app, database diplo, on 127.0.0.1), removes the cluster, and exits with COMMAND's status.",
    )
    parser.add_argument("--port", type=int, metavar="N", help="the cluster's port (default: a free one)")
    parser.add_argument("command", nargs="+", metavar="COMMAND", help="the command and its arguments, after --")
    args = parser.parse_args(argv)
    # A background job of a script ignores Ctrl-C, and so would the command we start: take it
    # back, so that both can be interrupted. Until the command runs, a TERM interrupts us too.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, interrupt)
    signal.signal(signal.SIGHUP, interrupt)
    try:
        return run_with_cluster(args.command, args.port)
    except ClusterError as error:
        print(f"tests.postgres: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
