"""Attendance: DfE codes, week storage, the register writer and engine, figures for any period, suggested stages,
the pages and API, register imports (``imports``) and the CTF review queue (``review``)."""
