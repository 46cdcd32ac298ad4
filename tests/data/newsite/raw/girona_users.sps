* Written by tests/data/newsite/make_newsite.py for peerstudy's 'newsite' test study.
* Service users in Girona: wide, two visits (_pre, _post).
* Made-up data; no real person. Run: pspp girona_users.sps

DATA LIST LIST (",")
  /codigo (A6) nombre (A30) sexo (A1) nacimiento (DATE11) nota (A300)
   SWLS1_pre SWLS2_pre SWLS3_pre SWLS4_pre SWLS5_pre EMAS01_pre (F2.0)
   EMAS02_pre EMAS03_pre EMAS04_pre EMAS05_pre EMAS06_pre EMAS07_pre (F2.0)
   EMAS08_pre EMAS09_pre EMAS10_pre EMAS11_pre EMAS12_pre SWLS1_post (F2.0)
   SWLS2_post SWLS3_post SWLS4_post SWLS5_post EMAS01_post EMAS02_post (F2.0)
   EMAS03_post EMAS04_post EMAS05_post EMAS06_post EMAS07_post EMAS08_post (F2.0)
   EMAS09_post EMAS10_post EMAS11_post EMAS12_post (F2.0).
BEGIN DATA
GU-001,Aina Arnau Batlle,M,02-JAN-1974,,3,5,5,4,5,4,3,4,4,5,4,4,4,3,4,4,4,5,5,4,3,5,4,5,3,4,4,4,5,4,5,4,5,5
GU-002,Biel Duran Gili,F,23-MAR-1960,Sin incidencias,3,2,4,3,3,3,3,3,3,4,4,4,3,3,2,3,3,,,,,,,,,,,,,,,,,
GU-003,Clara Gili Duran,M,02-MAY-1973,Sin incidencias,4,4,5,5,5,4,3,4,3,4,3,4,4,5,5,5,3,4,3,4,5,4,4,4,5,4,4,3,3,4,4,4,4,4
GU-004,Dani Batlle Arnau,M,12-JUL-1981,Sin incidencias,4,4,4,4,2,5,3,4,3,5,3,3,4,4,2,2,3,4,4,5,3,3,5,5,3,5,4,4,3,3,4,2,3,4
GU-005,Eva Esteve Ferrer,F,07-SEP-1998,,3,3,4,3,2,2,3,2,2,3,3,2,2,3,4,3,4,2,3,2,3,1,3,3,1,3,2,3,2,2,3,2,2,3
GU-006,Ferran Homs Codina,F,08-NOV-1986,Sin incidencias,4,3,4,4,5,3,4,4,4,4,4,3,4,4,4,4,4,99,99,99,99,99,99,99,99,99,99,99,99,99,99,99,99,99
GU-007,Gemma Codina Homs,M,07-JAN-1983,Sin incidencias,2,2,2,3,2,4,2,3,3,3,2,2,2,2,3,3,3,2,3,3,4,3,2,2,3,4,3,4,4,2,3,3,2,3
GU-008,Hugo Ferrer Esteve,M,26-MAR-1993,Sin incidencias,4,4,4,4,5,4,3,4,4,4,3,3,3,4,5,4,4,4,5,5,4,4,4,4,4,5,3,5,4,4,4,4,5,4
GU-009,Irene Arnau Batlle,F,18-MAY-1977,,3,3,2,3,2,3,2,3,3,3,4,99,3,2,3,2,2,3,3,2,3,3,3,4,2,3,3,4,2,3,3,3,2,2
GU-010,Jan Duran Gili,M,10-JUL-1961,Sin incidencias,4,5,3,3,3,4,3,4,4,4,3,4,3,3,5,4,5,,,,,,,,,,,,,,,,,
GU-011,Lia Gili Duran,F,24-SEP-1985,Sin incidencias,5,3,4,3,3,4,3,3,4,2,4,5,4,4,3,4,4,5,4,4,5,3,4,5,4,5,4,5,4,5,3,3,4,4
GU-012,Marc Batlle Arnau,M,23-NOV-1980,Sin incidencias,3,3,3,3,3,3,3,3,2,4,4,3,3,-1,4,4,2,3,4,4,3,3,4,4,2,3,4,4,5,3,3,4,3,2
END DATA.

VARIABLE LABELS codigo 'Codigo' sexo 'Sexo' nacimiento 'Fecha de nacimiento' nota 'Nota libre'.
VALUE LABELS sexo 'F' 'Mujer' 'M' 'Hombre'.
MISSING VALUES SWLS1_pre TO EMAS12_pre (LO THRU -1, 99).
MISSING VALUES SWLS1_post TO EMAS12_post (LO THRU -1, 99).
SAVE OUTFILE='girona_users.sav'.
