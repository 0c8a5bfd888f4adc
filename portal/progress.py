"""What a page polls while a background job runs: the one JSON shape that static/js/progress.js
reads, for file jobs and generated reports alike."""


def progress_payload(job, **extra) -> dict:
    """The state of ``job`` (anything with status / progress / stage / error and ``is_busy``), with
    page-specific keys such as ``download_url`` in ``extra``."""
    return {
        "status": job.status,
        "status_label": job.get_status_display(),
        "busy": job.is_busy,
        "progress": job.progress,
        "stage": job.stage,
        "error": job.error,
        **extra,
    }
