// advise-cxx.cc - a C++ library whose vtables the loader relocates: 200
// polymorphic classes, one object of each made by advise_cxx_make() (the
// vtables' pages in .data.rel.ro are written at load, in every process).
struct Base { virtual ~Base() {} virtual int f() const = 0; };
#define C(i) struct K##i : Base { int f() const override { return i; } };
#define C10(a) C(a##0) C(a##1) C(a##2) C(a##3) C(a##4) C(a##5) C(a##6) C(a##7) C(a##8) C(a##9)
#define C100(a) C10(a##0) C10(a##1) C10(a##2) C10(a##3) C10(a##4) C10(a##5) C10(a##6) C10(a##7) C10(a##8) C10(a##9)
C100(1) C100(2)
#define M(i) case i: b = new K##i; break;
#define M10(a) M(a##0) M(a##1) M(a##2) M(a##3) M(a##4) M(a##5) M(a##6) M(a##7) M(a##8) M(a##9)
#define M100(a) M10(a##0) M10(a##1) M10(a##2) M10(a##3) M10(a##4) M10(a##5) M10(a##6) M10(a##7) M10(a##8) M10(a##9)
extern "C" int advise_cxx_make(int n)
{
	int sum = 0;
	for (int i = 100; i < 100 + n; i++) {
		Base *b = nullptr;
		switch (i) { M100(1) M100(2) default: break; }
		if (b) {
			sum += b->f();
			delete b;
		}
	}
	return sum;
}
