#!/usr/bin/env python3
"""Every module a target imports must be one of its declared dependencies in Package.swift
(or a toolchain module). SwiftPM lets a target import anything reachable transitively, so an
undeclared import compiles today and breaks the day the graph changes; this makes the graph in
Package.swift the real one. Exit 1 with one line per offending import."""
import json, os, re, subprocess, sys

TOOLCHAIN = {"Foundation", "FoundationEssentials", "Glibc", "Dispatch", "Synchronization", "Testing", "XCTest", "Darwin", "_Concurrency"}
IMPORT = re.compile(r"^\s*(?:@testable\s+|@_exported\s+)?import\s+(?:(?:struct|class|enum|protocol|func|var|let|typealias)\s+)?([A-Za-z_][A-Za-z0-9_]*)", re.M)

package = json.loads(subprocess.check_output(["swift", "package", "dump-package"], text=True))
problems = []
for target in package["targets"]:
    if target["type"] == "system":
        continue
    name = target["name"]
    declared = {name}
    for dep in target.get("dependencies", []):
        for kind in ("byName", "target", "product"):
            if kind in dep:
                declared.add(dep[kind][0])
    kind_folder = "Tests" if target["type"] == "test" else "Sources"
    root = target.get("path") or os.path.join(kind_folder, name)
    for folder, _, files in os.walk(root):
        for file in files:
            if not file.endswith(".swift"):
                continue
            path = os.path.join(folder, file)
            for module in IMPORT.findall(open(path, encoding="utf-8").read()):
                if module not in declared and module not in TOOLCHAIN:
                    problems.append(f"{path}: imports {module}, which target {name} does not declare in Package.swift")
for line in problems:
    print(line)
sys.exit(1 if problems else 0)
