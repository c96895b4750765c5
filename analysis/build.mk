# analysis/ - tlbreport: the comparison of replay results, with plots (issue 5).
TLBREPORT_SRCS := analysis/tlbreport.c analysis/results.c analysis/costmodel.c \
	analysis/jsonscan.c analysis/sensitivity.c analysis/plot.c analysis/figures.c \
	analysis/summary_md.c analysis/html.c analysis/stdout_fmt.c analysis/fmt.c \
	analysis/reportdb.c analysis/outdir.c analysis/verdict.c analysis/kernelflush.c \
	analysis/fleet.c analysis/fleet_pages.c analysis/fleet_plot.c analysis/fleetdb.c
# docs/replay-model.md is compiled in: every report carries the model it was made with.
$(GEN)/replay_model_doc.c: docs/replay-model.md
	$(call msg,GEN,$@)mkdir -p $(@D) && awk 'BEGIN { print "const char tlb_replay_model_md[] =" } \
	  { gsub(/\\/, "\\\\"); gsub(/"/, "\\\""); printf "\"%s\\n\"\n", $$0 } END { print ";" }' $< > $@
$(OBJ)/gen/replay_model_doc.o: $(GEN)/replay_model_doc.c
	$(call msg,CC,$<)mkdir -p $(@D) && $(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<
$(call tlb_program,tlbreport,$(TLBREPORT_SRCS) gen/replay_model_doc.c,)

# Unit test of the cost model and the params reader (no DB, no gnuplot).
$(call tlb_test_program,t-costmodel,analysis/test_costmodel.c analysis/costmodel.c \
	analysis/jsonscan.c,)
