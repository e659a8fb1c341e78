"""The project's own demo courses: sources under demo_courses/, zipped reproducibly for the sandbox."""
from __future__ import annotations

from pathlib import Path

from .reproducible_zip import write_atomically, zip_bytes

DEMO_COURSES_DIR = Path(__file__).with_name("demo_courses")
# Zip name -> source folder; sorted zip names give learning ids 1 and 2.
DEMO_PACKAGES = {
    "01-safety-quiz-scorm12.zip": "safety-quiz-scorm12",
    "02-workshop-basics-scorm2004.zip": "workshop-basics-scorm2004",
}

# Answer keys, for tests and demos that drive the courses. The courses' own
# scripts hold the same tables (quiz.js ANSWER_KEY, shared/course.js
# ANSWER_KEY); tests/sandbox compares them so they cannot drift.
DEMO_QUIZ_ANSWERS = {"q1": "b", "q2": "c", "q3": "a", "q4": "b", "q5": "c"}
DEMO_QUIZ_MASTERY_SCORE = 80
DEMO_ASSESSMENT_ANSWERS = {"q1": "b", "q2": "a", "q3": "c"}
DEMO_ASSESSMENT_PASSING_SCORE = 0.7


def build_demo_packages(dest_dir: Path | str) -> list[Path]:
    """Zip every demo course into `dest_dir`; the same sources always give byte-identical zips."""
    dest = Path(dest_dir)
    dest.mkdir(parents=True, exist_ok=True)
    built = []
    for zip_name, source in sorted(DEMO_PACKAGES.items()):
        target = dest / zip_name
        write_atomically(target, zip_bytes(_course_files(DEMO_COURSES_DIR / source)))
        built.append(target)
    return built


def _course_files(root: Path) -> list[tuple[str, bytes]]:
    files = sorted(p for p in root.rglob("*") if p.is_file() and not _ignored(p.relative_to(root)))
    names = [p.relative_to(root).as_posix() for p in files]
    # The manifest first: readers that stream a zip find it without seeking.
    order = sorted(range(len(files)), key=lambda i: (names[i] != "imsmanifest.xml", names[i]))
    return [(names[i], files[i].read_bytes()) for i in order]


def _ignored(relative: Path) -> bool:
    return any(part.startswith(".") or part == "__pycache__" for part in relative.parts)
