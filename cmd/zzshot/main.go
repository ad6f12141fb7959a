// Temporary: screenshots of a running demo server (not committed).
package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

func main() {
	base := os.Args[1]
	width := 390
	fmt.Sscan(os.Args[2], &width)
	path := os.Args[3]
	out := os.Args[4]
	opts := []chromedp.ExecAllocatorOption{chromedp.ExecPath("chromium"), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.WindowSize(width, 900)}
	actx, c1 := chromedp.NewExecAllocator(context.Background(), opts...)
	defer c1()
	ctx, c2 := chromedp.NewContext(actx)
	defer c2()
	ctx, c3 := context.WithTimeout(ctx, 60*time.Second)
	defer c3()
	var body string
	err := chromedp.Run(ctx, chromedp.Navigate(base+"/login"), chromedp.WaitVisible("input[name=email]"),
		chromedp.SendKeys("input[name=email]", os.Getenv("EMAIL")), chromedp.SendKeys("input[name=password]", os.Getenv("PASSWORD")),
		chromedp.Submit("input[name=password]"), chromedp.Sleep(time.Second),
		chromedp.Navigate(base+path), chromedp.Sleep(time.Second), chromedp.OuterHTML("html", &body))
	if err != nil {
		panic(err)
	}
	_ = url.Values{}
	var png []byte
	if strings.HasSuffix(out, ".pdf") {
		err = chromedp.Run(ctx, chromedp.ActionFunc(func(ctx context.Context) error {
			var e error
			png, _, e = page.PrintToPDF().WithPaperWidth(8.27).WithPaperHeight(11.69).WithPrintBackground(true).Do(ctx)
			return e
		}))
	} else {
		y := 0
		if len(os.Args) > 5 {
			fmt.Sscan(os.Args[5], &y)
		}
		err = chromedp.Run(ctx, chromedp.Evaluate(fmt.Sprintf("window.scrollTo(0,%d)", y), nil), chromedp.Sleep(300*time.Millisecond), chromedp.CaptureScreenshot(&png))
	}
	if err != nil {
		panic(err)
	}
	os.WriteFile(out, png, 0o644)
	var h int
	chromedp.Run(ctx, chromedp.Evaluate("document.documentElement.scrollHeight", &h))
	fmt.Println("height", h)
}
