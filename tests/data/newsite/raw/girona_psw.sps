* Written by tests/data/newsite/make_newsite.py for peerstudy's 'newsite' test study.
* Peer support workers in Girona: wide, three visits (_a, _b, _c).
* Made-up data; no real person. Run: pspp girona_psw.sps

DATA LIST LIST (",")
  /codigo (A6) nombre (A30) sexo (A1) nacimiento (DATE11) nota (A300)
   SWLS1_a SWLS2_a SWLS3_a SWLS4_a SWLS5_a EMAS01_a (F2.0)
   EMAS02_a EMAS03_a EMAS04_a EMAS05_a EMAS06_a EMAS07_a (F2.0)
   EMAS08_a EMAS09_a EMAS10_a EMAS11_a EMAS12_a SWLS1_b (F2.0)
   SWLS2_b SWLS3_b SWLS4_b SWLS5_b EMAS01_b EMAS02_b (F2.0)
   EMAS03_b EMAS04_b EMAS05_b EMAS06_b EMAS07_b EMAS08_b (F2.0)
   EMAS09_b EMAS10_b EMAS11_b EMAS12_b SWLS1_c SWLS2_c (F2.0)
   SWLS3_c SWLS4_c SWLS5_c EMAS01_c EMAS02_c EMAS03_c (F2.0)
   EMAS04_c EMAS05_c EMAS06_c EMAS07_c EMAS08_c EMAS09_c (F2.0)
   EMAS10_c EMAS11_c EMAS12_c (F2.0).
BEGIN DATA
GI-001,Aina Arnau Batlle,M,06-JAN-1990,,4,4,6,6,5,4,3,4,5,3,4,3,4,3,4,3,4,6,6,6,5,5,4,4,3,3,2,5,4,4,3,3,5,4,7,7,5,6,6,5,4,4,4,5,4,3,3,5,4,4,4
GI-002,Biel Duran Gili,F,27-MAR-1984,Sin incidencias,9,3,4,3,4,2,2,2,2,2,2,3,4,3,3,2,2,4,4,5,3,4,3,3,2,2,2,2,3,3,2,3,1,2,3,5,5,4,4,2,3,3,4,2,3,4,2,2,2,3,2
GI-003,Clara Gili Duran,F,01-MAY-1987,Sin incidencias,4,5,5,6,4,3,3,3,3,4,5,3,-1,4,3,3,3,6,5,4,5,5,3,4,2,88,4,4,2,3,4,2,4,4,6,5,6,5,5,3,4,4,4,3,3,2,4,4,3,3,4
GI-004,Dani Batlle Arnau,F,01-JUL-1992,Sin incidencias,2,2,3,3,4,2,2,2,2,2,3,2,2,3,3,3,2,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,
GI-005,Eva Esteve Ferrer,M,12-SEP-1999,,5,6,4,4,5,4,3,3,4,3,5,3,3,4,5,2,2,5,6,7,4,5,4,3,3,4,3,3,2,4,3,2,4,4,4,5,5,6,5,5,3,4,4,5,3,4,5,3,5,3,5
GI-006,Ferran Homs Codina,F,15-NOV-1995,Sin incidencias,5,5,5,6,5,5,3,4,4,4,2,4,3,4,3,3,3,5,5,5,5,6,5,3,4,4,3,4,3,5,2,3,3,3,4,5,5,6,6,3,4,4,4,4,3,4,3,4,-1,4,3
GI-007,Gemma Codina Homs,M,04-JAN-1980,Sin incidencias,5,6,7,5,6,4,3,3,4,4,5,4,3,4,3,4,5,6,6,4,5,5,4,5,4,5,99,4,5,4,4,4,4,3,9,9,9,9,9,99,99,99,99,99,99,99,99,99,99,99,99
GI-008,Hugo Ferrer Esteve,F,27-MAR-1964,Sin incidencias,5,3,5,7,5,3,5,2,3,3,4,3,3,4,4,3,3,4,3,5,4,6,3,3,3,5,3,3,4,3,4,2,4,4,5,4,4,4,4,4,3,3,3,3,5,3,4,3,4,4,3
GI-009,Irene Arnau Batlle,M,16-MAY-1995,,4,4,2,3,4,2,2,3,2,2,3,2,2,2,2,3,2,-1,-1,-1,-1,-1,-1,-1,-1,-1,-1,-1,-1,-1,-1,-1,-1,-1,-1,-1,-1,-1,-1,-1,-1,-1,-1,-1,-1,-1,-1,-1,-1,-1,-1
GI-010,Jan Duran Gili,F,26-JUL-1992,Sin incidencias,5,4,5,6,5,4,4,4,4,3,3,4,4,5,3,4,4,5,5,6,6,5,4,4,3,4,4,3,2,5,4,1,4,4,5,4,5,5,5,4,3,5,4,5,4,3,4,4,5,4,4
END DATA.

VARIABLE LABELS codigo 'Codigo' sexo 'Sexo' nacimiento 'Fecha de nacimiento' nota 'Nota libre'.
VALUE LABELS sexo 'F' 'Mujer' 'M' 'Hombre'.
MISSING VALUES SWLS1_a TO SWLS5_a (LO THRU -1, 9).
MISSING VALUES SWLS1_b TO SWLS5_b (LO THRU -1, 9).
MISSING VALUES SWLS1_c TO SWLS5_c (LO THRU -1, 9).
MISSING VALUES EMAS01_a TO EMAS12_a (88 THRU 99, -1).
MISSING VALUES EMAS01_b TO EMAS12_b (88 THRU 99, -1).
MISSING VALUES EMAS01_c TO EMAS12_c (88 THRU 99, -1).
SAVE OUTFILE='girona_psw.sav'.
