#!/usr/bin/env python3
"""Finds vector registers spilled to the stack inside the loops of Isthmus's C2-compiled kernels.

A register-blocked kernel is fast only if its accumulators stay in registers. How many the JIT
has depends on the CPU (16 vector registers with AVX2, 32 with AVX-512) and on how C2 schedules,
unrolls and allocates; a spilled accumulator turns a loop into a store/load chain and can halve
its speed without any sign in the Java source. This script reads HotSpot's PrintAssembly output,
which without the hsdis plugin is a hex dump, disassembles each C2 compilation with binutils'
objdump, and lists for each innermost loop (a backward jump's range holding no other) its vector
arithmetic and its vector loads and stores at the stack pointer.

    java -XX:+UnlockDiagnosticVMOptions \\
         '-XX:CompileCommand=print,dev.isthmus.nn.backend.cpu.*::*' ... > asm.log
    python3 bench/spill_check.py asm.log            # loops with vector spills, newest compilation each
                                                    # (on-stack-replacement compilations left out)
    python3 bench/spill_check.py --all asm.log      # every vector loop of every C2 compilation

Needs objdump (binutils) on x86-64. Exit status 0; the report is the output.
"""
import argparse
import re
import subprocess
import sys
import tempfile

HEADER = re.compile(r'^Compiled method \((c1|c2)\)\s+\d+\s+(\d+)\s+(%?)\s*(\d)\s+(\S+)')
HEX = re.compile(r'^\s+0x([0-9a-f]+): ((?:[0-9a-f]{2,8}\s*\|?\s*)+)$')
INSN = re.compile(r'^\s*([0-9a-f]+):\s+(?:[0-9a-f]{2} )+\s*(.*)$')
VREG = re.compile(r'%[yz]mm\d+')
STACK = re.compile(r'\(%rsp\)|\(%rsp,')
ARITHMETIC = re.compile(r'v(fmadd|fnmadd|fmsub|add|sub|mul|max|min|div)')
JUMP = re.compile(r'^(j[a-z]+)\s+0x([0-9a-f]+)')


def compilations(lines):
    """(kind, id, osr, level, method, base address, code bytes) for each compilation in the log."""
    current = None
    for line in lines:
        h = HEADER.match(line)
        if h:
            if current and current[6]:
                yield current
            current = [h.group(1), int(h.group(2)), h.group(3) == '%', int(h.group(4)), h.group(5), None, bytearray()]
            continue
        if current is None:
            continue
        if '[Exception Handler]' in line or '[Stub Code]' in line or line.startswith('-----'):
            if current[6]:
                yield current
            current = None
            continue
        m = HEX.match(line)
        if m:
            address = int(m.group(1), 16)
            data = bytes.fromhex(''.join(m.group(2).replace('|', ' ').split()))
            if current[5] is None:
                current[5] = address
            end = current[5] + len(current[6])
            if address > end:
                current[6] += b'\x90' * (address - end)
            if address >= end:
                current[6] += data
    if current and current[6]:
        yield current


def disassemble(base, code):
    with tempfile.NamedTemporaryFile(suffix='.bin') as f:
        f.write(code)
        f.flush()
        out = subprocess.run(['objdump', '-D', '-b', 'binary', '-mi386:x86-64', '--adjust-vma=' + hex(base), f.name],
                             check=True, capture_output=True, text=True).stdout
    insns = []
    for line in out.split('\n'):
        m = INSN.match(line)
        if m:
            insns.append((int(m.group(1), 16), m.group(2).strip()))
    return insns


def loops(insns):
    """(start, end, arithmetic, vector spills, instructions) of each innermost loop: the range of a
    backward jump within the method that holds no other such range."""
    first = insns[0][0]
    ranges = set()
    for address, text in insns:
        j = JUMP.match(text)
        if j and first <= int(j.group(2), 16) < address:
            ranges.add((int(j.group(2), 16), address))
    innermost = [r for r in ranges if not any(o != r and r[0] <= o[0] and o[1] <= r[1] for o in ranges)]
    found = []
    for start, address in innermost:
        body = [t for a, t in insns if start <= a <= address]
        arithmetic = sum(1 for t in body if VREG.search(t) and ARITHMETIC.match(t))
        spills = sum(1 for t in body if VREG.search(t) and STACK.search(t))
        found.append((start, address, arithmetic, spills, len(body)))
    found.sort()
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('log')
    parser.add_argument('--all', action='store_true', help='every innermost loop with vector arithmetic, of every C2 compilation')
    args = parser.parse_args()
    with open(args.log, errors='replace') as f:
        lines = f.read().split('\n')
    newest = {}
    for c in compilations(lines):
        if c[0] == 'c2' and not c[2]:
            newest[c[4]] = c
    chosen = newest.values() if not args.all else [c for c in compilations(lines) if c[0] == 'c2']
    flagged = 0
    for kind, cid, osr, level, method, base, code in sorted(chosen, key=lambda c: c[4]):
        rows = [l for l in loops(disassemble(base, bytes(code))) if l[2] > 0]
        bad = [l for l in rows if l[3] > 0]
        if not args.all and not bad:
            continue
        flagged += bool(bad)
        print(f'{method}{" (OSR)" if osr else ""}  compile {cid}, {len(code)} bytes')
        for start, end, arithmetic, spills, size in (rows if args.all else bad):
            print(f'  loop {start:#x}..{end:#x}: {size} instructions, {arithmetic} vector arithmetic, '
                  f'{spills} vector stack loads/stores')
    if not flagged:
        print('no C2-compiled loop with vector arithmetic spills vector registers to the stack')


if __name__ == '__main__':
    main()
