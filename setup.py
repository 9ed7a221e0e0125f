from setuptools import find_packages, setup

requires = [
    "pabutools>=1.2.3,<1.3",
    # pabutools' utilitarian rule uses the CBC solver bundled with PuLP 2/3 (PuLP 4 drops it).
    "PuLP>=2.7,<4",
    "pyramid>=2.0,<3",
    "pyramid_jinja2>=2.10,<3",
    "pyramid_tm>=2.5,<3",
    "pyramid_retry>=2.1,<3",
    "SQLAlchemy>=2.0.30,<2.2",
    "zope.sqlalchemy>=3.1,<5",
    "transaction>=4,<6",
    "alembic>=1.13,<2",
    "waitress>=3,<4",
    "argon2-cffi>=23,<26",
    # AES-GCM for the server-side session data (pbengine.services.sessions).
    "cryptography>=42,<51",
    "Babel>=2.14,<3",
    "psycopg[binary]>=3.1,<4",
    # validates every API request (and, in development and the tests, every answer) against
    # pbengine/api/openapi.yaml
    "pyramid_openapi3>=0.20,<0.23",
    "PyYAML>=6,<7",
]

tests_require = [
    "pytest>=8,<10",
    "WebTest>=3,<4",
    "hypothesis>=6.100,<7",
    "ruff>=0.5",
    "playwright>=1.45,<2",
    "axe-playwright-python>=0.1.4,<0.2",
    "jsonschema>=4.20,<5",
    "mypy>=1.10,<2",
]

setup(
    name="pbengine",
    version="0.1.0",
    description="Participatory budgeting engine: vote, count with pabutools, publish an auditable result",
    python_requires=">=3.11",
    packages=find_packages(exclude=["tests", "tests.*", "bench"]),
    include_package_data=True,
    zip_safe=False,
    install_requires=requires,
    extras_require={"test": tests_require},
    entry_points={
        "paste.app_factory": ["main = pbengine:main"],
        "console_scripts": ["pbengine = pbengine.cli:main"],
    },
)
