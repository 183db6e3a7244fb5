"""Independent oracle for the kernel's Erlang C tests.

Computes the M/M/c wait probability from its definition with exact rational
arithmetic (Python's `fractions`), so no floating-point algorithm is shared
with the kernel. Run: python3 tests/oracles/erlang_c.py
"""
from fractions import Fraction
from math import exp, factorial


def erlang_c(servers, load):
    load = Fraction(load)
    below = sum(load**k / factorial(k) for k in range(servers))
    top = load**servers / factorial(servers) * Fraction(servers) / (servers - load)
    return top / (below + top)


if __name__ == "__main__":
    # One call a minute, 3-minute calls (a = 3 Erlangs), 5 agents.
    print("c=5 a=3 P(wait) =", float(erlang_c(5, 3)))
    # 360 calls per half hour, 240 s calls (a = 48 Erlangs), 55 agents.
    c = erlang_c(55, 48)
    print("c=55 a=48 P(wait) =", float(c))
    print("mean wait =", float(c) * 240 / (55 - 48), "s")
    print("service level 15 s =", 1 - float(c) * exp(-(55 - 48) * 15 / 240))
    for servers in (54, 55):
        level = 1 - float(erlang_c(servers, 48)) * exp(-(servers - 48) * 20 / 240)
        print(f"c={servers} service level 20 s =", level)
