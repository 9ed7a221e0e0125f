"""Prices of Equal Shares: what a project costs each unit of its supporters' satisfaction.

The poorest supporters (by money per unit of satisfaction) pay all they have, the others the
price times their satisfaction; pabutools finds the price by a scan from the poorest up.
"""

from __future__ import annotations

from operator import itemgetter, mul

from pabutools.fractions import frac


def _uniform_price(cost, slots, pid: str, sat, sat_left):
    """``_price`` of a project every supporter gets ``sat`` from, without sorting its groups.

    The poor are exactly the groups with less money than ``price x sat``, and the price only
    rises as poor groups are found (they pay less than the others would), so starting from
    the price if nobody were poor, each pass finds the groups poor at the price so far, until
    a pass finds none: the price pabutools' scan from the poorest up stops at. Usually one
    pass, one comparison per group.
    """
    rho = cost / sat_left
    threshold = rho * sat
    poor = [slot for slot in slots if slot.money < threshold]
    if not poor:
        return rho
    rest = [slot for slot in slots if slot.money >= threshold]
    paid = frac(0)
    while poor:
        counts = [slot.group.counts[pid][0][1] for slot in poor]
        paid += sum(map(mul, [slot.money for slot in poor], counts))
        sat_left -= sat * sum(counts)
        if not sat_left:
            return None  # everyone is poor: all their money is less than the cost
        rho = (cost - paid) / sat_left
        threshold = rho * sat
        poor = [slot for slot in rest if slot.money < threshold]
        if poor:
            rest = [slot for slot in rest if slot.money >= threshold]
    return rho


def _price(cost, groups: list, uniform: bool = False, sat_left=None):
    """The price per unit of satisfaction at which ``groups`` ((money, satisfaction, voters)) pay ``cost``.

    The poorest (by money per unit of satisfaction) pay all they have, the others the price
    times their satisfaction. ``None`` when all their money is not enough. ``uniform``: every
    group has the same satisfaction, so money alone orders them (no division per group).
    ``sat_left``: their total satisfaction, when known.
    """
    if uniform:
        items = sorted(groups, key=itemgetter(0))
    else:
        items = [entry for _, entry in sorted(((money / sat, (money, sat, mult))
                                               for money, sat, mult in groups), key=itemgetter(0))]
    paid = frac(0)
    if sat_left is None:
        sat_left = sum(sat * mult for _, sat, mult in items)
    for money, sat, mult in items:
        # the price if these and all richer voters pay it: do they have that much?
        if (cost - paid) * sat <= money * sat_left:
            return (cost - paid) / sat_left
        paid += money * mult
        sat_left -= sat * mult
    return None
