# deploy/build.mk - what goes onto production hosts: `make install`'s docs and fleet
# scripts, and the Debian packages.
#
#   make install DESTDIR=/tmp/stage PREFIX=/usr
#                      programs (top Makefile), man pages (man/build.mk), and here:
#                      $(PREFIX)/share/doc/tlbreplay/   README.md, collector/ and deploy/README.md
#                      $(PREFIX)/share/tlbreplay/slurm/ capture.sbatch, replay.sbatch
#                      $(PREFIX)/share/tlbreplay/fleet-db.sh
#   make deb           build/deb/tlbreplay_V_amd64.deb, tlbcollect_V_amd64.deb
#                      (dpkg-buildpackage over debian/, which calls this Makefile: the
#                      release build in build/ is reused, not redone), and
#                      build/deb/tlbcollect_V_ppc64el.deb (dpkg-deb around the static
#                      build/ppc64el/bin/tlbcollect of `make cross-ppc64el`)
#   make deb-amd64, make deb-ppc64el   one of the two
#   make deb DEB_HARDEN=1   the amd64 programs built afresh in build/debian with Debian's
#                      hardening flags (dpkg-buildflags, hardening=+all) instead of reused

DEB_OUT  := build/deb
DOCDIR   ?= $(PREFIX)/share/doc/tlbreplay
DATADIR  ?= $(PREFIX)/share/tlbreplay
DEPLOY_SCRIPTS := deploy/slurm/capture.sbatch deploy/slurm/replay.sbatch
DEB_VERSION = $(shell dpkg-parsechangelog -l debian/changelog -S Version)

.PHONY: install-doc install-deploy deb deb-amd64 deb-ppc64el
install: install-doc install-deploy
install-doc:
	install -d $(DESTDIR)$(DOCDIR)
	install -m 0644 README.md $(DESTDIR)$(DOCDIR)/README.md
	install -m 0644 collector/README.md $(DESTDIR)$(DOCDIR)/README.collector.md
	install -m 0644 deploy/README.md $(DESTDIR)$(DOCDIR)/README.fleet.md
install-deploy:
	install -d $(DESTDIR)$(DATADIR)/slurm
	install -m 0755 $(DEPLOY_SCRIPTS) $(DESTDIR)$(DATADIR)/slurm/
	install -m 0755 deploy/fleet-db.sh $(DESTDIR)$(DATADIR)/fleet-db.sh

deb: deb-amd64 deb-ppc64el

# The .deb, .ddeb, .buildinfo and .changes land in build/deb, not in the parent
# directory dpkg-buildpackage defaults to. No pre-clean: debian/rules' clean would
# otherwise have to throw the release build away.
deb-amd64: $(BUILD)/.deb-deps-ok
	$(Q)mkdir -p $(DEB_OUT)
	$(Q)$(if $(filter 1,$(DEB_HARDEN)),DEB_BUILD_MAINT_OPTIONS=hardening=+all TLB_DEB_BUILD=build/debian) \
	  dpkg-buildpackage -b --no-sign --no-pre-clean \
	  --buildinfo-option=-u$(DEB_OUT) --buildinfo-file=$(DEB_OUT)/tlbreplay_$(DEB_VERSION)_amd64.buildinfo \
	  --changes-option=-u$(DEB_OUT) --changes-file=$(DEB_OUT)/tlbreplay_$(DEB_VERSION)_amd64.changes \
	  > $(DEB_OUT)/dpkg-buildpackage.log 2>&1 \
	  || { tail -30 $(DEB_OUT)/dpkg-buildpackage.log; echo "make deb: dpkg-buildpackage failed (log: $(DEB_OUT)/dpkg-buildpackage.log)" >&2; exit 1; }
	$(Q)ls $(DEB_OUT)/*_$(DEB_VERSION)_amd64.deb

deb-ppc64el: cross-ppc64el $(BUILD)/.deb-deps-ok $(BUILD)/man/tlbcollect.1
	$(Q)deploy/deb-ppc64el.sh $(DEB_VERSION) build/ppc64el/bin/tlbcollect $(BUILD)/man/tlbcollect.1 $(DEB_OUT)

# dh's working files in debian/ (the packages themselves are in build/, which clean removes).
.PHONY: clean-deb
clean: clean-deb
clean-deb:
	rm -rf debian/.debhelper debian/tmp debian/tlbreplay debian/tlbcollect debian/files \
	  debian/*.substvars debian/*.debhelper.log debian/debhelper-build-stamp
