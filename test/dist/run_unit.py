#!/usr/bin/env python3
"""Runs the command lines of a systemd service unit the way systemd would
for `systemctl start|reload|stop`, outside systemd, so tests exercise the
shipped unit file rather than a copy of its commands.

  run_unit.py UNIT start|reload|stop [--root DIR] [--env-file FILE]

Environment: the unit's Environment= lines, then --env-file (standing in for
its EnvironmentFile=), on top of this process's environment. Substitution
follows systemd.service(5): "${VAR}" anywhere in a word, "$VAR" as a word of
its own (split on whitespace). An executable that exists under --root (a
staged install) is taken from there. A "-" prefix ignores a failure.
"""
import argparse
import os
import re
import shlex
import subprocess
import sys

ACTIONS = {
    "start": ["ExecStartPre", "ExecStart", "ExecStartPost"],
    "reload": ["ExecReload"],
    "stop": ["ExecStop", "ExecStopPost"],
}


def read_service_section(path):
    """(key, value) pairs of [Service], continuation lines joined."""
    entries, section, pending = [], None, ""
    with open(path) as unit:
        for raw in unit:
            line = pending + raw.rstrip("\n")
            pending = ""
            if line.endswith("\\"):
                pending = line[:-1] + " "
                continue
            stripped = line.strip()
            if not stripped or stripped[0] in "#;":
                continue
            if stripped.startswith("["):
                section = stripped
                continue
            if section == "[Service]" and "=" in stripped:
                key, value = stripped.split("=", 1)
                entries.append((key.strip(), value.strip()))
    return entries


def parse_env_assignments(text):
    env = {}
    for word in shlex.split(text, comments=True):
        if "=" in word:
            key, value = word.split("=", 1)
            env[key] = value
    return env


def expand(words, env):
    out = []
    for word in words:
        whole = re.fullmatch(r"\$([A-Za-z_][A-Za-z0-9_]*)", word)
        if whole:
            out.extend(env.get(whole.group(1), "").split())
            continue
        out.append(re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}",
                          lambda m: env.get(m.group(1), ""), word))
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("unit")
    parser.add_argument("action", choices=sorted(ACTIONS))
    parser.add_argument("--root", default="")
    parser.add_argument("--env-file")
    args = parser.parse_args()

    entries = read_service_section(args.unit)
    env = dict(os.environ)
    for key, value in entries:
        if key == "Environment":
            env.update(parse_env_assignments(value))
    if args.env_file:
        with open(args.env_file) as env_file:
            env.update(parse_env_assignments(env_file.read()))

    commands = [(k, v) for k, v in entries if k in ACTIONS[args.action]]
    # systemd runs ExecStartPre before ExecStart whatever their order.
    commands.sort(key=lambda kv: ACTIONS[args.action].index(kv[0]))
    if not any(k.startswith("Exec") for k, _ in commands):
        sys.exit(f"run_unit: {args.unit} has no command for {args.action}")
    for key, line in commands:
        ignore_failure = line.startswith("-")
        line = line.lstrip("-@+!:")
        argv = expand(shlex.split(line), env)
        staged = args.root + argv[0]
        if args.root and os.path.exists(staged):
            argv[0] = staged
        print(f"run_unit: {key}: {shlex.join(argv)}", file=sys.stderr, flush=True)
        rc = subprocess.call(argv, env=env)
        if rc != 0 and not ignore_failure:
            sys.exit(f"run_unit: {key} failed with exit code {rc}")


if __name__ == "__main__":
    main()
