"""The organizer console (/console): thin views by area, found by the app's scan.

auth (login, logout, home), organizers (accounts and roles), processes (settings, phases,
audit log), budgets and projects, proposals, codes, paper ballots, results and turnout.
"""
