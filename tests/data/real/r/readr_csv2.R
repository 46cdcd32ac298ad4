# Written for peerstudy's real-file corpus (tests/data/real/README.md).
# A Spanish-locale CSV as R writes it: readr::write_csv2 (';' between fields,
# ',' as decimal mark). A double column holding one non-whole value is printed
# with a decimal in every cell ('4,0', '99,0'), and NA is written as NA.
# Made-up data; no real person.
# Run: Rscript readr_csv2.R   (R 4.2.2, readr 2.1.4 wrote the committed file)
d <- data.frame(codigo = c(101, 102, 103, 104), centro = c(1, 1, 2, 2),
                SWLS1 = c(4, 3, 2, 5), SWLS2 = c(4, NA, 2, 4), SWLS3 = c(4, 3, 3, 5),
                SWLS4 = c(3, 3, 2, 5), SWLS5 = c(4, 99, 2, 2.5))
readr::write_csv2(d, "readr_csv2.csv")
