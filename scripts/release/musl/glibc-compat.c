/*
 * The few glibc symbols that Debian's libstdc++.a and libgcc_eh.a (built against glibc)
 * use and musl 1.2.3 lacks; linked into the stand-in libstdc++.so.6 that
 * libstdcxx.sh builds to smoke-test the musl binary on Debian. Never shipped.
 */
#include <link.h>
#include <stdint.h>
#include <string.h>
#include <sys/random.h>

/* glibc 2.32: libstdc++ skips atomic reference counts while this is non-zero. */
char __libc_single_threaded = 0;

/* glibc 2.36: std::random_device */
uint32_t arc4random(void)
{
	uint32_t value = 0;
	if (getrandom(&value, sizeof value, 0) != sizeof value)
		return 0;
	return value;
}

/* glibc 2.35: the unwinder finds the .eh_frame_hdr of the object that holds pc. */
struct dl_find_object {
	unsigned long long dlfo_flags;
	void *dlfo_map_start;
	void *dlfo_map_end;
	void *dlfo_link_map;
	void *dlfo_eh_frame;
	unsigned long long reserved[7];
};

struct search {
	uintptr_t pc;
	struct dl_find_object *out;
	int found;
};

static int visit(struct dl_phdr_info *info, size_t size, void *data)
{
	struct search *s = data;
	uintptr_t lo = UINTPTR_MAX, hi = 0;
	void *eh_frame = 0;
	(void)size;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t start = info->dlpi_addr + ph->p_vaddr;
		if (ph->p_type == PT_LOAD) {
			if (start < lo)
				lo = start;
			if (start + ph->p_memsz > hi)
				hi = start + ph->p_memsz;
		} else if (ph->p_type == PT_GNU_EH_FRAME) {
			eh_frame = (void *)start;
		}
	}
	if (s->pc < lo || s->pc >= hi)
		return 0;
	memset(s->out, 0, sizeof *s->out);
	s->out->dlfo_map_start = (void *)lo;
	s->out->dlfo_map_end = (void *)hi;
	s->out->dlfo_eh_frame = eh_frame;
	s->found = 1;
	return 1;
}

int _dl_find_object(void *pc, struct dl_find_object *out)
{
	struct search s = { (uintptr_t)pc, out, 0 };
	dl_iterate_phdr(visit, &s);
	return s.found && out->dlfo_eh_frame ? 0 : -1;
}
