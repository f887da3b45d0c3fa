"""Keeping a cache of folders small: the newest few stay, older ones go.

Grading keeps folders keyed by a digest of what they were made from (references per source
notebook, template gradebooks per course state). Every edit makes a new one; a run grading
an older course state may still be reading one of the last, so the newest few are kept.
"""

import shutil


def keep_newest(folders, marker, keep=3):
    """Remove all but the `keep` newest of `folders` that hold `marker`; return those removed.

    A folder without `marker` is unfinished (still being built) and is left alone. Age is
    the marker's modification time, written when the folder was finished.
    """
    finished = [folder for folder in folders if (folder / marker).is_file()]
    finished.sort(key=lambda folder: (folder / marker).stat().st_mtime, reverse=True)
    for folder in finished[keep:]:
        shutil.rmtree(folder, ignore_errors=True)
    return finished[keep:]
