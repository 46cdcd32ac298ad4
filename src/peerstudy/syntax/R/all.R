## ---- Every family of the plan, with p adjusted over the whole plan ----------
# Sources each family's script (in its own environment, so that its plan does
# not overwrite another's), binds their rows and adjusts p within each family
# and test, as tests.csv has it.

families <- @@FAMILIES@@
here <- file.path(results_dir, "syntax")
all_rows <- list()
for (family in families) {
  env <- new.env()
  sys.source(file.path(here, paste0(family, ".R")), envir = env)
  all_rows[[family]] <- get(paste0(family, "_rows"), envir = env)()
}
finish(bind_rows(unname(all_rows)))
