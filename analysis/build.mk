# analysis/ - tlbreport: the comparison of replay results, with plots (issue 5).
TLBREPORT_SRCS := analysis/tlbreport.c analysis/results.c analysis/costmodel.c \
	analysis/jsonscan.c analysis/sensitivity.c analysis/plot.c analysis/figures.c \
	analysis/summary_md.c analysis/html.c analysis/stdout_fmt.c analysis/fmt.c \
	analysis/reportdb.c analysis/outdir.c
$(call tlb_program,tlbreport,$(TLBREPORT_SRCS),)

# Unit test of the cost model and the params reader (no DB, no gnuplot).
$(call tlb_test_program,t-costmodel,analysis/test_costmodel.c analysis/costmodel.c \
	analysis/jsonscan.c,)
