"""Independent oracle for the kernel's Erlang C tests.

Computes the M/M/c wait probability from its definition, and the number
waiting from the birth-death chain, with exact rational
arithmetic (Python's `fractions`), so no floating-point algorithm is shared
with the kernel. Run: python3 tests/oracles/erlang_c.py
"""
from fractions import Fraction
from math import exp, factorial


def population(servers, load, upto):
    """P(N = n) for n = 0..upto, from the birth-death chain's balance
    equations p(n+1) = p(n) a / min(n+1, c); the mass past `upto` (which
    must be at least c) is p(upto) times the sum of rho^k for k >= 1."""
    load = Fraction(load)
    weights = [Fraction(1)]
    for n in range(upto):
        weights.append(weights[-1] * load / min(n + 1, servers))
    rho = load / servers
    total = sum(weights) + weights[-1] * rho / (1 - rho)
    return [w / total for w in weights]


def queue_exceeds(servers, load, n, upto=400):
    """P(more than n waiting) = P(N > c + n), summed term by term."""
    return 1 - sum(population(servers, load, upto)[: servers + n + 1])


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
    # The number waiting, 5 agents and 3 Erlangs: its tail and quantiles.
    for n in (0, 1, 4, 10):
        print(f"c=5 a=3 P(Nq > {n}) =", float(queue_exceeds(5, 3, n)))
    p = population(5, 3, 400)
    print("c=5 a=3 mean waiting =", float(sum((k - 5) * p[k] for k in range(5, len(p)))))
    for q in (Fraction(1, 2), Fraction(99, 100)):
        n = 0
        while queue_exceeds(5, 3, n) > 1 - q:
            n += 1
        print(f"c=5 a=3 quantile {float(q)} of the number waiting =", n)
