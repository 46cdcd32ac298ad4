* Written for peerstudy's real-file corpus (tests/data/real/README.md).
* The same answers saved as an SPSS portable file (.por), which peerstudy
* does not read: a config naming it as format sav must say how to convert it.
* Made-up data; no real person.
* Run: pspp portable.sps   (GNU PSPP 1.6.2 wrote the committed file)
DATA LIST LIST (",") /codigo (F4.0) centro (F1.0) SWLS1 SWLS2 SWLS3 SWLS4 SWLS5 (F1.0).
BEGIN DATA
101,1,4,4,4,3,4
102,1,3,3,3,3,3
END DATA.
EXPORT OUTFILE='portable.por'.
