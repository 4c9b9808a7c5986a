"""docker-compose.yml and the Dockerfile read as Docker would read them, for running their services
without a Docker engine: compose's variable interpolation, each service's environment (the
image's ENV under the service's own), its command (the image's CMD when it has none) and its
health check."""

import os
import re
import shlex
import socket
import subprocess
import sys
from pathlib import Path

import yaml
from dockerfile_parse import DockerfileParser

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent

_VARIABLE = re.compile(r"\$(?:\$|\{(?P<name>\w+)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}|(?P<bare>\w+))")


def interpolate(value, variables: dict[str, str]):
    """Compose's ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error} and $$."""
    if isinstance(value, dict):
        return {key: interpolate(item, variables) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item, variables) for item in value]
    if not isinstance(value, str):
        return value

    def replace(match):
        if match.group(0) == "$$":
            return "$"
        name = match.group("name") or match.group("bare")
        op, arg = match.group("op"), match.group("arg")
        current = variables.get(name)
        unset = current is None or (current == "" and op and op.startswith(":"))
        if op in (":-", "-"):
            return arg if unset else current
        if op in (":?", "?"):
            if unset:
                raise KeyError(f"{name}: {arg}")
            return current
        return current or ""

    return _VARIABLE.sub(replace, value)


class Stack:
    """The compose file and the image, with the values a council would put in `.env`."""

    def __init__(self, variables: dict[str, str]):
        self.variables = variables
        self.raw = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
        self.compose = interpolate(self.raw, variables)
        self.dockerfile = DockerfileParser(path=str(ROOT / "Dockerfile"))

    @property
    def services(self) -> dict:
        return self.compose["services"]

    def image_env(self) -> dict[str, str]:
        """The ENV of the image's last stage."""
        env = {}
        stage = 0
        for instruction in self.dockerfile.structure:
            if instruction["instruction"] == "FROM":
                stage += 1
                env = {}
            elif instruction["instruction"] == "ENV":
                for pair in shlex.split(instruction["value"]):
                    key, _, value = pair.partition("=")
                    env[key] = value
        return env

    def image_instruction(self, name: str) -> str:
        values = [i["value"] for i in self.dockerfile.structure if i["instruction"] == name]
        return values[-1]

    def image_cmd(self) -> list[str]:
        return yaml.safe_load(self.image_instruction("CMD"))  # exec form: a JSON array

    def image_healthcheck(self) -> list[str]:
        value = self.image_instruction("HEALTHCHECK")
        return yaml.safe_load(value[value.index("CMD") + 3:].strip())

    def service_env(self, name: str, **local) -> dict[str, str]:
        """What the service's process sees: the image's ENV, then the service's environment
        (a name with no value is unset, as compose leaves it when the shell has none), then
        `local`: where this machine's services are."""
        env = {"PATH": f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}", "HOME": os.environ.get("HOME", "/tmp"),
               "LANG": "C.UTF-8", "PYTHONPATH": str(ROOT), "HOSTNAME": socket.gethostname()}
        env.update(self.image_env())
        for key, value in (self.services[name].get("environment") or {}).items():
            if value is not None:
                env[key] = str(value)
        env.update({key: str(value) for key, value in local.items()})
        return env

    def command(self, name: str) -> list[str]:
        command = self.services[name].get("command") or self.image_cmd()
        return shlex.split(command) if isinstance(command, str) else list(command)

    def healthcheck(self, name: str) -> list[str]:
        test = self.services[name]["healthcheck"]["test"]
        if test[0] == "CMD-SHELL":
            return ["sh", "-c", test[1]]
        assert test[0] == "CMD", test
        return list(test[1:])

    def volume_target(self, name: str, volume: str) -> str:
        for mount in self.services[name].get("volumes", []):
            source, target = mount.split(":")[:2]
            if source == volume:
                return target
        raise KeyError(volume)


def run(command: list[str], env: dict, timeout: float = 120, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, env=env, cwd=kwargs.pop("cwd", ROOT), capture_output=True, text=True,
                          timeout=timeout, **kwargs)


def start(command: list[str], env: dict, log: Path, cwd=ROOT) -> subprocess.Popen:
    with open(log, "ab") as output:
        return subprocess.Popen(command, env=env, cwd=cwd, stdout=output, stderr=subprocess.STDOUT,
                                start_new_session=True)
