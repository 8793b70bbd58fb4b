/*
 * Helpers for the codec tests: sine waves, WAV files, AMR storage files (RFC 4867
 * section 5), running outside tools (ffmpeg, sox) and scripts/lab/tone.py.
 */
#ifndef NWIT_TESTS_CODEC_TESTUTIL_H
#define NWIT_TESTS_CODEC_TESTUTIL_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static inline void sine(int16_t *pcm, size_t n, unsigned rate, double freq, double amp,
			uint64_t *pos)
{
	for (size_t i = 0; i < n; i++, (*pos)++)
		pcm[i] = (int16_t)lrint(amp * sin(2 * M_PI * freq * (double)*pos / rate));
}

static inline void put_le(FILE *f, uint32_t v, int n)
{
	for (int i = 0; i < n; i++)
		fputc((int)(v >> (8 * i)) & 0xff, f);
}

static inline int write_wav(const char *path, unsigned rate, const int16_t *pcm, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (!f)
		return -1;
	fwrite("RIFF", 1, 4, f);
	put_le(f, (uint32_t)(36 + n * 2), 4);
	fwrite("WAVEfmt ", 1, 8, f);
	put_le(f, 16, 4);
	put_le(f, 1, 2);
	put_le(f, 1, 2);
	put_le(f, rate, 4);
	put_le(f, rate * 2, 4);
	put_le(f, 2, 2);
	put_le(f, 16, 2);
	fwrite("data", 1, 4, f);
	put_le(f, (uint32_t)(n * 2), 4);
	for (size_t i = 0; i < n; i++)
		put_le(f, (uint16_t)pcm[i], 2);
	return fclose(f);
}

static inline int have_tool(const char *name)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", name);
	return system(cmd) == 0;
}

/* scripts/lab/tone.py on a WAV: its frequency, -1 on failure */
static inline double tone_freq(const char *wav, double skip, double *rms)
{
	const char *top = getenv("NWIT_TOP");
	char cmd[512];
	double hz = -1, secs = 0, r = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "python3 %s/scripts/lab/tone.py %s --skip %.2f", top ? top : ".",
		 wav, skip);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	if (fscanf(p, "%lf %lf %lf", &hz, &secs, &r) != 3)
		hz = -1;
	pclose(p);
	if (rms)
		*rms = r;
	fprintf(stderr, "# %s: %.1f Hz over %.2f s, rms %.0f\n", wav, hz, secs, r);
	return hz;
}

static inline char *test_tmpdir(void)
{
	static char dir[64];

	snprintf(dir, sizeof(dir), "/tmp/nwit-codec-XXXXXX");
	return mkdtemp(dir);
}

#endif
