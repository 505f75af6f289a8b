console.log("only-an-asset");
