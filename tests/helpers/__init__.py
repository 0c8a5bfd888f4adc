"""Shared test machinery: real Celery workers, clean-environment subprocesses, Chromium.

Domain fixtures (users per role, organizations) live in each app's ``factories.py``; this
package only holds what is generic to the test run.
"""
